/* timed — the kernel's clocks behind the states a lesson expects.
 *
 * Some states end on a kernel timer, not on a call: TIME-WAIT after 60 s
 * (TCP_TIMEWAIT_LEN, no sysctl), an orphaned FIN-WAIT-2 after
 * net.ipv4.tcp_fin_timeout, SYN-SENT when connect() gives up resending the
 * SYN. A student reading each screen crosses them; a test at machine speed
 * never does. After every snapshot the session notes, for each named
 * socket, since which step it is in its state and when its kernel timer
 * ends (sock_diag's idiag_timer / idiag_expires, the probe's timer fields).
 * When a lesson's expectation `... unless its timer ran out` does not hold,
 * the table says whether that socket's timer has run out since, and the
 * lab says so in words instead of failing.
 *
 * Nothing here reads the kernel: the session feeds snapshots and times.
 */
#ifndef SOCKLAB_TIMED_H
#define SOCKLAB_TIMED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lesson.h"

struct lab_snapshot;

#define TIMED_SOCKETS_MAX 64
/* sock_diag reports the time left in whole jiffies (4 ms at HZ=250): a
 * socket freed this little before the expiry the lab computed is on time. */
#define TIMED_EARLY_US 100000

struct timed_socket {
	int side;
	char name[NAME_MAX_LEN];
	int state;                   /* TCP_* as last seen */
	size_t since_step;           /* the step in which it was first seen in `state` (1-based) */
	int64_t since_us;            /* CLOCK_MONOTONIC then, microseconds */
	uint8_t timer;               /* the kernel's timer at the last sighting
	                                (lab_socket.timer); 0 none */
	int64_t expires_us;          /* CLOCK_MONOTONIC when that timer ends; 0 none */
	/* The state before, when it ended on its timer and the socket lives on
	 * in another state (SYN-SENT whose retries ran out: CLOSE, held by its
	 * fd); state -1: none. */
	struct {
		int state;
		size_t since_step;
		int64_t since_us;
		int64_t expires_us;
	} ended;
};

struct timed_table {
	struct timed_socket sockets[TIMED_SOCKETS_MAX];
	size_t count;
};

void timed_clear(struct timed_table *table);

/* Notes every named socket of the snapshot that has (or had) a kernel
 * timer, read at `now_us` during step `step`. Sockets no longer listed keep
 * their last sighting. */
void timed_note(struct timed_table *table, const struct lab_snapshot *snapshot, size_t step,
		int64_t now_us);

/* Whether the socket `side`/`name` left the state it was last seen in
 * because that state's kernel timer ran out by `now_us`; if so, writes the
 * sentence, "TIME-WAIT ended: 91 s passed since step 11, longer than its
 * 60 s timer; the kernel freed the port", into out in English (what a
 * trace keeps), and into `shown` (may be NULL) in the language chosen.
 * `snapshot` is the kernel's view now (the socket must not be in that
 * state any more). */
bool timed_explain(const struct timed_table *table, const struct lab_snapshot *snapshot, int side,
		   const char *name, int64_t now_us, char *out, size_t size, char *shown,
		   size_t shown_size);

/* CLOCK_MONOTONIC in microseconds. */
int64_t timed_now_us(void);

#endif
