/* evidence — why the kernel refused a call, from what the lab measured.
 *
 * A failed call is a lesson: next to ECONNREFUSED the lab shows that
 * nothing was in LISTEN on the address (the sockets before the call), next
 * to EADDRINUSE the socket that holds the address and its state. One row
 * per (call, errno) in a table; the evidence comes only from the event log
 * (the snapshots before and after the call), so a replayed trace explains
 * itself exactly as the run did.
 */
#ifndef SOCKLAB_EVIDENCE_H
#define SOCKLAB_EVIDENCE_H

#include <stddef.h>

#include "session.h"

/* For events[index] (a call that returned -1), writes one line of evidence
 * into out and returns out; returns NULL when the call did not fail or the
 * table has no row for its errno. For poll, select and epoll_wait, says why
 * each ready fd was ready, from its queues (a connection in the accept
 * queue, bytes in the receive queue, the peer's FIN). */
const char *evidence_explain(const struct run_info *info, const struct lab_event *events,
			     size_t index, char *out, size_t size);

#endif
