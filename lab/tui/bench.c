/* bench — times the lesson screen's drawing, for the benchmark figures. */
#include "tui.h"

#include "tui_state.h"
#include "screen_lesson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double now_us(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec * 1e6 + (double)now.tv_nsec / 1e3;
}

/* Runs every step, as a student who pressed End would see it. */
static int run_to_end(struct session *session, char **err)
{
	for (;;) {
		int result = session_step(session, err);
		if (result < 0)
			return -1;
		if (result > 0)
			return 0;
	}
}

static int time_frames(struct tui *tui, int width, int height, int frames, double *samples,
		       char **err)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	if (!out || !in) {
		if (out)
			fclose(out);
		if (in)
			fclose(in);
		return text_error(err, "cannot open /dev/null");
	}
	/* A fixed terminal type: the figure must not depend on the caller's. */
	SCREEN *screen = newterm("xterm-256color", out, in);
	if (!screen) {
		fclose(out);
		fclose(in);
		return text_error(err, "newterm(xterm-256color) failed");
	}
	set_term(screen);
	resize_term(height, width);
	tui->style.utf8 = true;
	draw_style_init(&tui->style, tui->options->color, tui->options->big);
	for (int i = 0; i < frames; i++) {
		double start = now_us();
		erase();
		screen_lesson_draw_view(tui, &tui->view);
		clearok(stdscr, TRUE);   /* every cell goes out, as after a resize */
		refresh();
		samples[i] = now_us() - start;
	}
	endwin();
	delscreen(screen);
	fclose(out);
	fclose(in);
	return 0;
}

int tui_bench_draw(const struct lesson *lesson, struct sandbox *sandbox, int width, int height,
		   int frames, double *median_us, char **err)
{
	struct tui_options options = { .color = true };
	struct tui tui = {
		.options = &options, .sandbox = sandbox, .focus_side = -1, .right_side = 1
	};
	if (frames < 1 || width < TUI_MIN_WIDTH || height < TUI_MIN_HEIGHT)
		return text_error(err, "the benchmark needs frames >= 1 and at least %dx%d",
				  TUI_MIN_WIDTH, TUI_MIN_HEIGHT);
	double *samples = calloc((size_t)frames, sizeof *samples);
	if (!samples)
		return text_error(err, "out of memory");
	view_init(&tui.view);
	int result = -1;
	if (session_new(&tui.session, lesson, sandbox, err) < 0)
		goto done;
	tui.lesson = lesson;
	if (run_to_end(tui.session, err) < 0)
		goto done;
	if (view_update(&tui.view, tui.session, 2) < 0) {
		text_error(err, "out of memory");
		goto done;
	}
	if (time_frames(&tui, width, height, frames, samples, err) < 0)
		goto done;
	qsort(samples, (size_t)frames, sizeof *samples, compare_doubles);
	*median_us = frames % 2 ? samples[frames / 2]
				: (samples[frames / 2 - 1] + samples[frames / 2]) / 2;
	result = 0;
done:
	session_free(tui.session);
	view_done(&tui.view);
	free(samples);
	return result;
}
