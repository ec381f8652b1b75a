/* pace — a person's pace for `socklab run --plain`: time between steps.
 *
 * Kernel timers (TIME-WAIT's 60 s, the SYN's 1 s retransmission, the
 * FIN-WAIT-2 orphan's tcp_fin_timeout) run while a student reads. A
 * transcript made at machine speed never crosses one; `--pace SECONDS`
 * waits that long before every step but the first, and `--pause
 * STEP:SECONDS` (STEP a number, or `last`) waits before that one step, so a
 * test can step like a person. The waits are real sleeps, cut short by a
 * stop signal.
 */
#ifndef SOCKLAB_PACE_H
#define SOCKLAB_PACE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#define PACE_PAUSES_MAX 8
#define PACE_SECONDS_MAX 3600.0

struct pace {
	double every_s;                 /* before each step after the first; 0 none */
	struct {
		size_t step;            /* 1-based; 0: the lesson's last step */
		double seconds;
	} pauses[PACE_PAUSES_MAX];
	int pause_count;
};

/* Parses `--pace` 's value ("2", "0.5") into pace->every_s. Returns 0, or
 * -1 with a message in `why` (for "socklab run: --pace ..."). */
int pace_parse_every(struct pace *pace, const char *text, char *why, size_t why_size);

/* Parses one `--pause` value, "17:65" or "last:65", and adds it. Returns 0,
 * or -1 with a message in `why`. */
int pace_parse_pause(struct pace *pace, const char *text, char *why, size_t why_size);

/* How long to wait before step `next` (1-based) of `step_count`, seconds. */
double pace_before(const struct pace *pace, size_t next, size_t step_count);

/* Waits for at most `ms` milliseconds; returns 0, or -1 with *err. The
 * session's wait (session_wait) keeps reading held segments meanwhile. */
typedef int pace_wait_fn(void *context, int ms, char **err);

/* Waits that long, in slices of at most 200 ms through `wait` (a plain
 * sleep when NULL); returns early once *stop is set (a signal's handler
 * sets it). Returns 0, or -1 with *err from `wait`. */
int pace_wait(const struct pace *pace, size_t next, size_t step_count,
	      const volatile sig_atomic_t *stop, pace_wait_fn *wait, void *context, char **err);

#endif
