/* session — the model: runs a lesson's steps and keeps what happened.
 *
 * A session owns one puppet per side, a probe, and a private working
 * directory (for Unix socket paths), inside a sandbox its caller owns. It
 * runs one step at a time: the side's puppet makes the call, blocked puppets
 * whose call the kernel has since woken are collected, then the probe reads
 * every socket of the lab and the session ties each one to its side, fd
 * and name. Each step appends events to the log; the latest snapshot is
 * kept too. Frontends (plain transcript, trace writer, TUI) only read the
 * log and the snapshot; none of them calls the kernel.
 */
#ifndef SOCKLAB_SESSION_H
#define SOCKLAB_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>

#include "catalog.h"
#include "lesson.h"
#include "model.h"
#include "sandbox.h"

struct session;

/* Starts the puppets for `lesson` (borrowed: it must outlive the session)
 * inside `sandbox` (entered by the caller, borrowed). Returns 0, or -1
 * with *err. */
int session_new(struct session **out, const struct lesson *lesson, struct sandbox *sandbox,
		char **err);

/* Captures the packets on lo from now on (the private path only), and
 * also writes them to `pcap_path` when not NULL. When capture is
 * impossible, the run goes on and session_info()->wire says why. Returns
 * -1 with *err only when the pcap file cannot be written. */
int session_capture(struct session *session, const char *pcap_path, char **err);

/* A flag (set by a signal handler) that cuts short the bounded waits of a
 * step (`within` expectations), so Ctrl-C never waits on the kernel. */
void session_set_interrupt(struct session *session, const volatile sig_atomic_t *flag);

/* Stops and reaps the puppets, removes the working directory. Safe on NULL. */
void session_free(struct session *session);

/* Records what happened to a process of a program side; no step, no
 * snapshot (the next call's shows what changed). Returns 0, -1 with *err. */
int session_observe_process(struct session *session, const struct observed_process *observed,
			    char **err);

/* The label of a program side's process: "server" while the side has one
 * process, else "server" for the first and "server/child1" ... */
void session_process_label(const struct session *session, int side, int process, char *out,
			   size_t size);

/* A session whose sides are outside programs, not puppets: `lesson` names
 * the sides (lesson->forked[] all true: no puppet starts). Each call the
 * tracer reports becomes a step: session_observe() records it, reads the
 * kernel, and ties the sockets to sides as for a lesson. */
int session_observe(struct session *session, const struct observed_call *call, char **err);

/* Runs the next step. Returns 0 (events appended, even when the kernel
 * refused the call or an expectation failed), 1 when there was no step
 * left, -1 when the lab itself failed (a puppet died, netlink broke) with *err. */
int session_step(struct session *session, char **err);

/* With segments held (`wire: hold`, --hold): lets the oldest held segment
 * go on (or drops it), waits for what it causes, and reads the kernel, as
 * a release() step does, but as part of the step on screen: the events
 * go to the last step run. Returns 0, 1 when no segment is held (or
 * nothing can be: session_info()->held says why), -1 with *err. */
int session_wire_next(struct session *session, bool drop, char **err);

/* Reads the kernel again without a call (the TUI's once-a-second refresh
 * while a TIME-WAIT timer counts down). Updates the latest snapshot only;
 * the log is unchanged. Returns 0, or -1 with *err. */
int session_refresh(struct session *session, char **err);

/* Waits `ms` milliseconds between steps (a person's pace) while the
 * kernel's timers run; with segments held, reads each segment the kernel
 * queues as it comes, so a resend's time is the kernel's (resend.h); the
 * lesson's programs are served meanwhile (session_serve_programs).
 * Returns 0, or -1 with *err. */
int session_wait(struct session *session, int ms, char **err);

/* With segments held: the fd that is readable when the kernel queued one
 * (for an event loop), else -1; session_wire_collect reads them then, so
 * a resend's time is when the kernel sent it. Returns 0, or -1 with *err. */
int session_wire_fd(const struct session *session);
int session_wire_collect(struct session *session, char **err);

/* A lesson's programs between steps (`program SIDE:`): the fds that are
 * readable when one needs the lab (at most LESSON_MAX_SIDES; returns how
 * many), and that work, done (program_serve). An event loop watches them
 * beside its own; session_wait does. session_serve_programs returns 0, or
 * -1 with *err. */
size_t session_program_fds(const struct session *session, int *fds);
int session_serve_programs(struct session *session, char **err);

/* Back to before step 1: fresh sandbox namespace, fresh puppets, empty log. */
int session_restart(struct session *session, char **err);

/* Restart, then run steps until `steps_done` steps have run. */
int session_goto(struct session *session, size_t steps_done, char **err);

size_t session_steps_done(const struct session *session);
const struct lesson *session_lesson(const struct session *session);
const struct run_info *session_info(const struct session *session);

/* The log: every event since the start (or the last restart). */
const struct lab_event *session_events(const struct session *session, size_t *count);

/* The latest snapshot (after the last step; before step 1, empty). */
const struct lab_snapshot *session_snapshot(const struct session *session);

/* Whether `side` has a call asleep in the kernel, and its text. */
const char *session_blocked_call(const struct session *session, int side);

/* How many expectations have failed so far. */
size_t session_failure_count(const struct session *session);

#endif
