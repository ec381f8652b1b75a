/* export — a run written as a picture: the sequence diagram (diagram.h)
 * of a lesson run to its end or of a recorded trace, as SVG or as an
 * HTML handout (svg.h). Runs no frontend; the caller enters the sandbox
 * and starts the session. */
#ifndef SOCKLAB_EXPORT_H
#define SOCKLAB_EXPORT_H

#include <signal.h>
#include <stddef.h>

#include "lesson.h"
#include "session.h"

enum export_format { EXPORT_SVG, EXPORT_HTML };

/* The format a file's name asks for: .html or .htm is HTML, else SVG. */
enum export_format export_format_for(const char *path);

/* Runs the session's steps to the end, printing nothing (as run --plain
 * runs them, an expectation that fails does not stop it), or until *stop
 * is set. Returns 0, or -1 with *err when the lab itself failed. */
int export_run(struct session *session, const volatile sig_atomic_t *stop, char **err);

/* Writes the diagram of `events` to `path` ("-": stdout). The file
 * appears whole or not at all: it is written beside its name, then
 * renamed. `lesson` (NULL for a trace) gives the HTML its step texts;
 * without it, each step's calls and results are its text. Returns 0, or
 * -1 with *err. */
int export_write(const char *path, enum export_format format, const struct run_info *info,
		 const struct lab_event *events, size_t count, const struct lesson *lesson,
		 char **err);

#endif
