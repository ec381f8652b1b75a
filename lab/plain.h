/* plain — the transcript frontend: no curses, deterministic enough to diff.
 *
 * It prints from events alone (a live session's or a trace's), so a replay
 * prints exactly what the run printed. Peer bytes are always escaped. */
#ifndef SOCKLAB_PLAIN_H
#define SOCKLAB_PLAIN_H

#include <stdio.h>

#include "lesson.h"
#include "session.h"

void plain_print_info(FILE *out, const struct run_info *info);

/* Prints the events of one step (all with the same .step), then the
 * sockets after it (the last event's snapshot). */
void plain_print_step(FILE *out, const struct run_info *info, const struct lab_event *events,
		      size_t count);

/* The same for the `count` events of one step starting at log[first]:
 * with the whole log at hand, a failed call is printed with its evidence
 * (evidence.h), which needs the snapshot before the step. */
void plain_print_step_in(FILE *out, const struct run_info *info, const struct lab_event *log,
			 size_t first, size_t count);

/* Groups a whole log into steps and prints each. */
void plain_print_log(FILE *out, const struct run_info *info, const struct lab_event *events,
		     size_t count);

/* One line for the end: "16 steps, all expectations met" or "... 2 failed". */
void plain_print_summary(FILE *out, const struct run_info *info, const struct lab_event *events,
			 size_t count);

/* The result of an event as a short phrase: "3", "-1 ECONNREFUSED (Connection refused)",
 * "12 \"Hello, world\"", "blocked". Shared with the TUI. */
char *plain_format_result(const struct lab_event *event, char *out, size_t size);

/* A socket's state as shown: "LISTEN", "ESTABLISHED", "-" (no address yet). */
const char *plain_state_text(const struct lab_socket *socket);

/* Lesson prose for the full transcript (not --terse): wrapped to 80
 * columns as the screen wraps it, paragraphs kept, under `label` when not
 * NULL. Prints nothing for NULL text. */
void plain_print_prose(FILE *out, const char *label, const char *text);

/* A step's Python line and explanation (and its then-say), after the step. */
void plain_print_step_prose(FILE *out, const struct lesson_step *step);

#endif
