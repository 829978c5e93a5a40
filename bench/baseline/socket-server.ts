/**
 * The realtime baseline: a bare socket.io server whose clients sit in one room (or the room their
 * handshake names: idle clients in rooms of their own); on `start` it broadcasts `rate` messages a
 * second for `seconds` to the one room, each stamped with the send time (Date.now()).
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const httpServer = createServer((_req, res) => res.writeHead(200).end('ok'));
const server = new Server(httpServer, { transports: ['websocket'] });
const body = 'x'.repeat(600);

server.on('connection', (socket) => {
  const room: unknown = (socket.handshake.auth as Record<string, unknown>).room;
  void socket.join(typeof room === 'string' ? room : 'room');
  socket.on('start', ({ rate, seconds }: { rate: number; seconds: number }, ack: () => void) => {
    const total = rate * seconds;
    const started = Date.now();
    let sent = 0;
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate) + 1);
      for (; sent < due; sent += 1) {
        server.to('room').emit('message.created', {
          message: { id: String(sent), body, createdAt: new Date().toISOString() },
        });
      }
      if (sent >= total) {
        clearInterval(timer);
        ack();
      }
    }, 10);
  });
});

httpServer.listen(Number(process.env.BENCH_PORT), '127.0.0.1');
