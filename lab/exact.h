/* exact — the host path's reading of the kernel, without walking the
 * host's tables.
 *
 * On the host the lab's network namespace is everybody's: a sock_diag dump
 * walks the host's whole TCP hash table (262,144 buckets here) and every
 * Unix socket of the machine, however few the lab holds. The lab knows its
 * sockets, though: each one it saw keeps its 4-tuple (TIME-WAIT and
 * orphans too, as the kernel keys them by it), a connection in a
 * listener's accept queue is the mirror of a known client's 4-tuple, and
 * a Unix socket is asked for by its inode. So each snapshot asks for
 * exactly those (probe_lookup: a hash lookup each), and dumps only where
 * something new may have appeared: an fd the kernel did not show whose
 * socket a call of this step made or used (socket, bind, connect, ...),
 * or once a second at most, so a socket of the lab the exact requests
 * missed is still found. UDP sockets are asked for by their addresses too.
 *
 * Owns the lab's sockets of the last snapshot; knows no sides.
 */
#ifndef SOCKLAB_EXACT_H
#define SOCKLAB_EXACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe.h"
#include "tie.h"

/* A full dump at most this often, when nothing else asks for one. */
#define EXACT_DUMP_INTERVAL_US 1000000

struct exact;

struct exact *exact_new(void);          /* NULL when out of memory */
void exact_free(struct exact *exact);   /* safe on NULL */

/* Forgets every socket (a restart: the next snapshot dumps). */
void exact_forget(struct exact *exact);

/* What the lab's fds are and what this step's calls touched. */
struct exact_input {
	unsigned what;                  /* probe_what of the lab's sockets */
	const struct tie_fd *fds;       /* every fd of every side */
	size_t fd_count;
	const uint32_t *touched;        /* inodes of the fds a call used or made since the
	                                   last snapshot */
	size_t touched_count;
	int64_t now_us;                 /* monotonic clock */
};

/* A dump walks the kernel's tables in batches and resumes by position, so
 * it can skip a socket when another leaves the same bucket between
 * batches. Adds to `dump` each socket of `found` (exact replies) whose
 * addresses no socket of the dump has. Returns 0, or -1 out of memory. */
int exact_add_unlisted(struct probe_snapshot *dump, const struct probe_snapshot *found);

/* Fills raw (cleared first) with the lab's sockets: by exact requests, or
 * by the dump of `what` where one is due (then raw holds the host's
 * sockets too; the tie keeps the lab's). *dumped says which; *missed
 * counts the lab's sockets a once-a-second dump found that the exact
 * requests had not. Returns 0, or -1 with *err. */
int exact_snapshot(struct exact *exact, struct probe *probe, const struct exact_input *input,
		   struct probe_snapshot *raw, bool *dumped, size_t *missed, char **err);

#endif
