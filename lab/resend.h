/* resend — a held segment's retransmissions are copies of it.
 *
 * While a segment is held (`wire: hold`), its sender's timer runs on: the
 * kernel sends the SYN again after 1 s, then 2 s, 4 s (the server's
 * SYN-ACK likewise), and each copy is held too. A copy carries the same
 * sequence number, flags and length as the segment it repeats; hold.c
 * marks it `retransmission`. The lesson means the segment, not one copy of
 * it, so:
 *
 *   - release() lets the oldest of the copies through and drops the others
 *     (they would reach the receiver as duplicates);
 *   - a copy that comes after the segment went through is dropped at once
 *     (the receiver has it); one that comes while the segment is held, or
 *     after a drop(), stays held: it is the segment now;
 *   - except under `socklab run --hold`, where the student lets every
 *     segment go in turn: there copies stay held and go in their turn
 *     (a duplicate FIN makes the receiver ACK at once, which shows
 *     FIN-WAIT-2 between releases), and are only said;
 *   - every copy is said once, in words: "the kernel resent the SYN
 *     (retransmission timer, 1 s after the one before)", with what the
 *     lab did with it. The time is between the moments the lab read the
 *     two from the queue: read as they come (session_wait, the TUI's
 *     loop), it is the kernel's timer.
 *
 * The table remembers the segments it has seen by addresses, flags,
 * sequence number and length; it reads and changes the hold, nothing else.
 */
#ifndef SOCKLAB_RESEND_H
#define SOCKLAB_RESEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hold.h"

#define RESEND_KEYS_MAX 64
#define RESEND_ANNOUNCED_MAX 128

struct resend_key {
	struct lab_address source;
	struct lab_address destination;
	uint8_t flag_bits;
	uint32_t raw_seq;            /* as on the wire: a new connection on the same ports
	                                has another ISN */
	uint32_t length;
	int64_t last_us;             /* when the latest copy was held (CLOCK_MONOTONIC) */
	bool through;                /* one copy was released: later copies are duplicates */
	bool dropped;                /* the latest copy was dropped (drop()): the next is
	                                the segment now */
	uint64_t used;               /* for replacing the least recently used key */
};

struct resend_table {
	struct resend_key keys[RESEND_KEYS_MAX];
	size_t count;
	uint64_t clock;
	uint32_t announced[RESEND_ANNOUNCED_MAX];   /* ids of copies already said */
	size_t announced_count;
};

/* Who sent a held segment, for the sentence ("client"); the caller knows. */
typedef const char *resend_sender_fn(void *context, const struct held_segment *segment);

void resend_clear(struct resend_table *table);

/* Where resend_tidy says the copies: `english` for the trace, `shown` (may
 * be NULL) the same in the interface's language; each of `size` bytes. */
struct resend_said {
	char *english;
	char *shown;
	size_t size;
};

/* After every collect: notes the segments first seen, drops the copies of
 * segments already let through, and appends one sentence per new copy to
 * `said` ("; " between them; left as it is when none). Returns the number
 * of copies said, or -1 with *err. */
int resend_tidy(struct resend_table *table, struct hold *hold, bool drop_duplicates,
		resend_sender_fn *sender, void *context, struct resend_said *said, char **err);

/* Releases (or drops) the held segment at `index`; after a release, with
 * drop_copies, also drops every other held copy of it. Returns 0, or -1
 * with *err. */
int resend_release_at(struct resend_table *table, struct hold *hold, size_t index, bool drop_copies,
		      char **err);
int resend_drop_at(struct resend_table *table, struct hold *hold, size_t index, char **err);

#endif
