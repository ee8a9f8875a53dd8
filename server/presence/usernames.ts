/** Friendly generated guest names ("CalmOtter42"): always valid per USERNAME_PATTERN. */
import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'Calm', 'Bright', 'Swift', 'Quiet', 'Brave', 'Lucky', 'Clever', 'Gentle', 'Jolly', 'Mellow',
  'Sunny', 'Witty', 'Bold', 'Cosy', 'Eager', 'Happy', 'Kind', 'Lively', 'Merry', 'Noble',
];
const ANIMALS = [
  'Otter', 'Falcon', 'Panda', 'Fox', 'Heron', 'Lynx', 'Koala', 'Owl', 'Tiger', 'Whale',
  'Badger', 'Robin', 'Gecko', 'Bison', 'Crane', 'Dolphin', 'Moose', 'Puffin', 'Raven', 'Seal',
];

/** A fresh random guest name. */
export function suggestUsername(): string {
  const a = ADJECTIVES[randomInt(ADJECTIVES.length)] ?? 'Calm';
  const b = ANIMALS[randomInt(ANIMALS.length)] ?? 'Otter';
  return `${a}${b}${randomInt(10, 100)}`;
}
