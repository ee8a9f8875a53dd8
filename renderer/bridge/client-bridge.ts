/** Adapts an in-page PresenceClient to the renderer's Bridge (what Electron's preload does over IPC). */
import type { Bridge, PresenceClientApi } from '../../client/types.js';

export function bridgeFromClient(client: PresenceClientApi): Bridge {
  return {
    getSnapshot: () => Promise.resolve(client.getSnapshot()),
    onSnapshot: (listener) => client.subscribe(listener),
    setVisible: (visible) => client.setVisible(visible),
    search: () => client.search(),
    cancelSearch: () => client.cancelSearch(),
    sendMessage: (text) => client.sendMessage(text),
    leaveChat: () => client.leaveChat(),
    loadMoreOnline: () => client.loadMoreOnline(),
    subscribeOnline: () => client.subscribeOnline(),
    unsubscribeOnline: () => client.unsubscribeOnline(),
    refreshHistory: (minutes) => client.refreshHistory(minutes),
    startOver: () => client.startOver(),
  };
}
