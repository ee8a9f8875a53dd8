/** UI slice: first-load flag, in-flight actions, and the one notice shown to the user. */
import { describeError } from './errors.js';
import type { SliceCreator, UiSlice } from './types.js';

export const createUiSlice: SliceCreator<Omit<UiSlice, 'applySnapshot'>> = (set) => {
  // A fresh id per notice, so the same text twice still restarts the toast's timer.
  let noticeSeq = 0;
  return {
    loaded: false,
    pending: {},
    notice: null,
    reportError: (err) => set({ notice: { id: ++noticeSeq, text: describeError(err) } }),
    dismissNotice: () => set({ notice: null }),
  };
};
