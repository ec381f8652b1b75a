/* trace — a run written down as JSON Lines, read back, and normalised.
 *
 * A trace is UTF-8 text, one compact JSON object a line. Line 1 says what
 * ran; every later line is one event of the session's log, with the
 * snapshot of every socket after it. Keys appear in the order shown.
 *
 *   {"socklab_trace":1,"lesson":"01-echo","title":"An echo server",
 *    "sandbox":"network namespace","sides":["server","client"],"steps":16,
 *    "port_map":[[65432,41234]]}
 *
 *     socklab_trace  the format's version: 1. Anything else is refused.
 *     sides          1 to 8 distinct names; events name their side by these.
 *     port_map       [from, to] pairs, at most 16: on the host path the
 *                    lesson's port `from` is really the kernel's port `to`.
 *                    [] inside a sandbox.
 *
 *   {"seq":5,"step":4,"kind":"returned","side":"client","call":"recv",
 *    "text":"recv(c, 1024)","ret":6,"errno":null,"bytes":"hello\\n",
 *    "address":"127.0.0.1:65432","value":1,"us":41.237,
 *    "failures":["lessons/01-echo.lesson:14: expected ..."],
 *    "sockets":[{"side":"server","fd":3,"name":"ls","family":"AF_INET",
 *      "type":"SOCK_STREAM","state":"LISTEN","local":"127.0.0.1:65432",
 *      "peer":"*","rq":0,"wq":5,"timer_ms":0,"inode":12345,
 *      "note":"in accept queue, no fd","changes":["new","state"]}]}
 *
 *     kind      "returned", "blocked", "woke" or "not run".
 *     side      one of the sides, or null (sockets the lab cannot place).
 *     text      the call as written in the lesson, or null.
 *     errno     null when 0, its name ("ECONNREFUSED") when the catalog
 *               knows one, else its number (133).
 *     bytes     null, or the bytes received, escaped as in a lesson:
 *               printable ASCII stands for itself, \n \r \t \\ \" for
 *               those bytes, \xHH (two hex digits) for any other byte. The
 *               escaping is inside the JSON string, so JSON doubles each
 *               backslash: the bytes 'h' 'i' 0x00 0x0a read "hi\\x00\\n".
 *               "" is an empty (but present) receive.
 *     address   only when not empty (accept, recvfrom, getsockname, ...).
 *     fd_arg    the socket argument as the kernel got it; only when the call has one.
 *     target    the address argument as the kernel got it (bind, connect,
 *               sendto: on the host path, the mapped port); only when there is one.
 *     value     only when the call has one (getsockopt, fcntl).
 *     held      `wire: hold` lessons: the segments the kernel holds after this
 *               event, "client -> server SYN seq 0 ack 0 len 0; ..."; only when any.
 *     ready     poll, select, epoll_wait: which fds were ready and why, as
 *               "ls POLLIN, conn POLLIN|POLLRDHUP"; only when any was.
 *     refused   the lab refused the call itself and no kernel saw it (ret -1
 *               and the errno it gave): why, "fd 1000 is not one of this
 *               side's sockets ..."; only then, and not in a normalised
 *               trace (the host path refuses what the private path's
 *               kernel refuses with the same errno).
 *     us        time inside the call, microseconds to the nanosecond
 *               (41.237, 3.0).
 *     failures  only when an expectation was not met.
 *     packets   only when packets crossed lo during this event's part of the
 *               step: [{"from":"client","to":"server","src":"127.0.0.1:40312",
 *               "dst":"127.0.0.1:65432","proto":"TCP","flags":"SYN","seq":0,
 *               "ack":0,"len":0,"payload":"","win":65495,"time_us":...}],
 *               seq and ack relative to each side's first sequence number,
 *               payload the first bytes escaped, win in bytes after scaling.
 *     family    AF_INET, AF_INET6, AF_UNIX; a number for any other.
 *     type      SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET; a number for others.
 *     state     "LISTEN", "SYN-RECV", "UNCONN", "BOUND", ... as the screen
 *               shows it (probe_socket_state_name); "-" when the socket has
 *               no address yet; a number when no name reads back as the
 *               same state (lesson_state_value).
 *     fd        -1 when no fd holds the socket.
 *     rq, wq    receive and send queue, bytes (LISTEN: accept queue, backlog).
 *     timer_ms  time left on the kernel's timer; inode: 0 when none.
 *     note      only for a socket with a note (lab_note_text).
 *     changes   only when something changed: "new", "state", "queue", "fd".
 *
 * A reader ignores keys it does not know. "sandbox", "port_map", "us",
 * "timer_ms" and "inode" may be missing (a normalised trace has none);
 * "address", "value", "failures", "note" and "changes" are missing when
 * empty; every other key above is required.
 *
 * Normalised traces (the golden files in traces/) are what two runs of one
 * lesson have in common (fork()'s pid, in the parent's answer, reads 1): no "sandbox", "port_map",
 * "us", "timer_ms" or "inode", no packet's "win" or "time_us", and no pure ACK (no payload,
 * no SYN, FIN or RST: a delayed ACK lands in whichever step runs when it
 * fires); in "address", "target", "src", "dst", "local" and "peer", a kernel port that port_map
 * maps reads as the lesson's port, the lesson's own ports (port_map's
 * `from` ports and every port written in an event's "text") stay, and
 * every other port becomes a token "$1", "$2", ... in order of first
 * appearance, the same port the same token throughout the trace.
 */
#ifndef SOCKLAB_TRACE_H
#define SOCKLAB_TRACE_H

#include <stddef.h>
#include <stdio.h>

#include "session.h"

#define TRACE_VERSION 1
#define TRACE_MAX_FILE_SIZE ((size_t)64 << 20)   /* bytes; a larger trace is refused */

struct trace_writer;

/* Creates (or truncates) `path`; "-" writes to stdout, which close leaves
 * open. Returns 0, or -1 with *err (malloc'd). */
int trace_writer_open(struct trace_writer **out, const char *path, char **err);

/* Writes the first line; call it once, before any event. `info` is copied. */
int trace_write_info(struct trace_writer *writer, const struct run_info *info, char **err);

/* Writes one event a line and flushes it, so a trace of a run that dies
 * still holds every step before. Returns 0, or -1 with *err. */
int trace_write_event(struct trace_writer *writer, const struct lab_event *event, char **err);

/* Empties the file so a run that went back is written afresh (the first
 * line again, then its events). Returns 0, or -1 with *err (stdout cannot
 * be emptied). */
int trace_writer_rewind(struct trace_writer *writer, char **err);

/* Flushes, closes and frees. Returns -1 with *err if the last write failed
 * (the writer is freed all the same). Safe on NULL. */
int trace_writer_close(struct trace_writer *writer, char **err);

/* Reads a whole trace ("-" reads stdin). On success returns 0 and the
 * caller owns *events (lab_event_done each, then free). On failure returns
 * -1 with *err, "path:line: field: what is wrong", and nothing to free. */
int trace_read(const char *path, struct run_info *info, struct lab_event **events, size_t *count,
	       char **err);

/* Writes the normalised form of the trace at `path` to `out`: the one
 * place golden traces are made. Normalising a normalised trace changes
 * nothing. Returns 0, or -1 with *err. */
int trace_normalise(const char *path, FILE *out, char **err);

#endif
