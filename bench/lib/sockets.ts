import { io, type Socket } from 'socket.io-client';

/**
 * A socket.io client over websocket (no reconnection: a dropped socket is a failure here), resolved
 * once `ready` arrives (`connect`, or an event the server sends once the handshake is done).
 */
export async function openSocket(
  url: string,
  auth: Record<string, string>,
  ready = 'connect',
): Promise<Socket> {
  const socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once(ready, () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}
