// Reading /proc/net/tcp: only ESTABLISHED entries whose remote port matches.
import { establishedInodes } from './sockets.js';

const table = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  // 127.0.0.1:40000 -> 127.0.0.1:42221 (0xA4ED) established
  '   0: 0100007F:9C40 0100007F:A4ED 01 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 20 4 30 10 -1',
  // same remote port, TIME_WAIT (06): not a connection any more
  '   1: 0100007F:9C41 0100007F:A4ED 06 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 4 30 10 -1',
  // another remote port, established
  '   2: 0100007F:9C42 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 20 4 30 10 -1',
  // the listening side of port 42221 (remote 0): not counted
  '   3: 0100007F:A4ED 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 100 0 0 10 0',
  '',
].join('\n');

test('counts the established connections to the port and names their inodes', () => {
  expect(establishedInodes(table, 0xa4ed)).toEqual(['111']);
  expect(establishedInodes(table, 0x1f90)).toEqual(['222']);
  expect(establishedInodes(table, 1)).toEqual([]);
});

test('reads tcp6 addresses (the port after the last colon)', () => {
  const v6 =
    'header\n   0: 0000000000000000FFFF00000100007F:9C40 0000000000000000FFFF00000100007F:A4ED 01 00000000:00000000 00:00000000 00000000     0        0 444 1 0 20 4 30 10 -1\n';
  expect(establishedInodes(v6, 0xa4ed)).toEqual(['444']);
});
