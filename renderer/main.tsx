/** Entry: pick the Bridge, build the store around it, render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { pickBridge } from './bridge/pick-bridge.js';
import { connectStore, createAppStore } from './store/create-store.js';
import { StoreProvider } from './store/react.js';
import { App } from './views/App.js';
import './styles/tokens.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/panels.css';
import './styles/match.css';

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root');

const bridge = await pickBridge();
const store = createAppStore(bridge);
// Lives as long as the page: a reload tears everything down with it.
connectStore(store, bridge);

createRoot(rootElement).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
