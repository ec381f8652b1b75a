/* kernel_view — the probe's view of the lab's sockets, tied to sides: which
 * kinds to ask for, every side's fds for the tie (tie.h), a dump in the
 * private namespace or exact requests on the host path (exact.h), and the
 * snapshot the events and the baseline keep (its rows shared).
 */
#ifndef SOCKLAB_KERNEL_VIEW_H
#define SOCKLAB_KERNEL_VIEW_H

#include <stddef.h>

#include "session_parts.h"

/* Reads the kernel and replaces session->snapshot. 0, or -1 with *err. */
int view_take_snapshot(struct session *session, char **err);
/* What "changed" compares with from now: the current snapshot. */
int view_set_baseline(struct session *session, char **err);
/* The current snapshot into events [first, end); the probe's note, if
 * any, into the last of them. */
int view_copy_snapshot_to(struct session *session, size_t first, size_t end, char **err);

#endif
