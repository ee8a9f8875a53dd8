/** The page: header with the link state, the live numbers, the match area, me and who is online. */
import { useApp } from '../store/react.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { MatchPanel } from './MatchPanel.js';
import { MePanel } from './MePanel.js';
import { NoticeToast } from './NoticeToast.js';
import { OnlineChart } from './OnlineChart.js';
import { OnlineUsers } from './OnlineUsers.js';
import { StatsCards } from './StatsCards.js';

function Logo() {
  return (
    <svg className="brand__logo" viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="9" className="brand__logo-bg" />
      <circle cx="16" cy="16" r="5" fill="#fff" />
      <circle cx="16" cy="16" r="9.5" fill="none" stroke="#fff" strokeOpacity=".55" strokeWidth="2" />
    </svg>
  );
}

export function App() {
  // Busy until the first snapshot: assistive tech then knows the dashes are not real numbers.
  const loaded = useApp((s) => s.loaded);
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <Logo />
          <h1 className="brand__name">HereNow</h1>
          <span className="brand__tag">who is here, right now</span>
        </div>
        <ConnectionStatus />
      </header>
      <main className="layout" aria-busy={!loaded}>
        <StatsCards />
        <div className="layout__main">
          <MatchPanel />
          <OnlineChart />
        </div>
        <aside className="layout__side" aria-label="You and who is online">
          <MePanel />
          <OnlineUsers />
        </aside>
      </main>
      <NoticeToast />
    </div>
  );
}
