/* tui — the curses frontend: draws the session model, turns keys into
 * requests to it. The only code that includes curses. */
#ifndef SOCKLAB_TUI_H
#define SOCKLAB_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "lesson.h"
#include "sandbox.h"
#include "trace.h"
#include "tui_options.h"

/* Runs the lesson screen until the student quits. `lessons` lists the
 * available lesson paths for the menu (when lesson is NULL). Returns the
 * process exit code: 0, 2 when the terminal or the lab could not start,
 * 128 + N when signal N stopped it (the terminal is restored and the
 * puppets are gone by then). The lesson and the paths stay the caller's. */
int tui_run(struct lesson *lesson, char **lesson_paths, size_t lesson_count,
	    struct sandbox *sandbox, const struct tui_options *options);

/* Free play on the lesson screen: a command line where calls are typed
 * on either side and run on the real pair (play.h), with completion and a
 * history kept in $XDG_STATE_HOME/socklab/history. Returns as tui_run. */
int tui_play(struct sandbox *sandbox, const struct tui_options *options);

/* Stepping two unmodified programs (socklab step): `commands` are the
 * server's and the client's command lines; `examples_dir` holds the
 * Python line reporter. Space runs the held call shown, c shows the other
 * program's. Returns as tui_run. */
int tui_step(const char *const commands[2], const char *examples_dir, struct sandbox *sandbox,
	     const struct tui_options *options);

/* For the benchmark: runs `lesson` to its end in `sandbox`, then draws the
 * lesson screen `frames` times into a curses screen on /dev/null of
 * width x height, each frame a full repaint (erase, draw, every cell sent).
 * Sets *median_us to the median frame time. Returns 0, or -1 with *err.
 * Must not be called while tui_run runs. */
int tui_bench_draw(const struct lesson *lesson, struct sandbox *sandbox, int width, int height,
		   int frames, double *median_us, char **err);

#endif
