/* tui — the frontend's life: terminal in, loop, terminal out.
 *
 * The loop sleeps in poll() on the keyboard and the signal pipe, with no
 * timeout unless autoplay runs or a TIME-WAIT timer is on screen: an idle
 * lab costs nothing. A key becomes an action (keys.c) that the screen on
 * top handles; the loop then redraws the whole screen once, and curses
 * sends only what changed. Every way out (q, a stop signal, a failure)
 * goes through the same cleanup: endwin, session_free (which reaps the
 * puppets), the menu's lessons. */
#include "tui.h"

#include "tui_state.h"
#include "command_line.h"
#include "dispatch.h"
#include "history.h"
#include "lesson_actions.h"
#include "page.h"
#include "play_actions.h"
#include "screen_consent.h"
#include "screen_ladder.h"
#include "screen_lesson.h"
#include "screen_projector.h"
#include "screen_menu.h"
#include "step_actions.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "signals.h"
#include "i18n.h"

enum { ESCAPE_DELAY_MS = 25 };   /* Esc alone vs the start of an arrow key's sequence */

static bool locale_is_utf8(void)
{
	const char *codeset = nl_langinfo(CODESET);
	return codeset && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

static int terminal_start(struct tui *tui, SCREEN **screen, char **err)
{
	/* newterm, not initscr: initscr exits the process on an unknown TERM. */
	*screen = newterm(NULL, stdout, stdin);
	if (!*screen) {
		const char *term = getenv("TERM");
		return text_error(
			err, _("cannot drive terminal type '%s' (try TERM=xterm, or run --plain)"),
			term ? term : _("(unset)"));
	}
	set_term(*screen);
	signals_set_curses(true);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(ESCAPE_DELAY_MS);
	curs_set(0);
	tui->style.utf8 = locale_is_utf8();
	draw_style_init(&tui->style, tui->options->color, tui->options->big);
	return 0;
}

static void terminal_stop(SCREEN *screen)
{
	if (!screen)
		return;
	endwin();
	signals_set_curses(false);
	delscreen(screen);
}

static void draw(struct tui *tui)
{
	erase();
	tui->command.screen_y = -1;
	if (tui->blank) {
		/* A presenter blanked it: nothing until the next key. */
	} else if (COLS < TUI_MIN_WIDTH || LINES < TUI_MIN_HEIGHT)
		draw_too_small(&tui->style, COLS, LINES);
	else if (tui->page.open)
		page_draw(tui);
	else if (tui->screen == SCREEN_LESSON && tui->ladder.open)
		screen_ladder_draw(tui);
	else if (tui->screen == SCREEN_LESSON && screen_projector_shown(tui))
		screen_projector_draw(tui);
	else if (tui->screen == SCREEN_LESSON)
		screen_lesson_draw(tui);
	else if (tui->screen == SCREEN_CONSENT)
		screen_consent_draw(tui);
	else
		screen_menu_draw(tui);
	/* The terminal's own cursor shows where typing goes, and only there. */
	bool typing = tui->command.screen_y >= 0;
	if (typing)
		move(tui->command.screen_y, tui->command.screen_x);
	if (typing != tui->cursor_shown)
		curs_set(typing ? 1 : 0);
	tui->cursor_shown = typing;
	refresh();
}

static void run_loop(struct tui *tui)
{
	bool dirty = true;
	while (!tui->quit && !signals_pending()) {
		if (dirty)
			draw(tui);
		dirty = false;
		/* The keyboard, the stop signals, the stepped programs' news, and a
		 * lesson's programs between its steps. */
		struct pollfd fds[3 + STEPPER_SIDES + LESSON_MAX_SIDES] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = signals_fd(), .events = POLLIN },
			/* Held segments the kernel's timers resend: read as they come,
			 * so their times are the kernel's (resend.h). -1: none held. */
			{ .fd = tui->session ? session_wire_fd(tui->session) : -1,
			  .events = POLLIN },
		};
		int program_fds[STEPPER_SIDES];
		int program_count = tui->stepper ? stepper_fds(tui->stepper, program_fds) : 0;
		for (int i = 0; i < program_count; i++)
			fds[3 + i] = (struct pollfd){ .fd = program_fds[i], .events = POLLIN };
		int lesson_fds[LESSON_MAX_SIDES];
		size_t lesson_count = tui->session
			? session_program_fds(tui->session, lesson_fds) : 0;
		for (size_t i = 0; i < lesson_count; i++)
			fds[3 + program_count + (int)i] =
				(struct pollfd){ .fd = lesson_fds[i], .events = POLLIN };
		int ready = poll(fds, (nfds_t)(3 + program_count) + lesson_count,
				 lesson_actions_timeout_ms(tui));
		if (ready < 0 && errno != EINTR) {
			tui_message(tui, "poll: %s", strerror(errno));
			tui->exit_code = 2;
			break;
		}
		if (fds[1].revents)
			continue;   /* a stop signal: the loop condition ends it */
		if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			tui->quit = true;   /* the terminal went away */
			break;
		}
		if (fds[2].revents && tui->session) {
			char *err = NULL;
			if (session_wire_collect(tui->session, &err) < 0)
				tui_message(tui, _("held segments: %s"),
					    err ? err : _("out of memory"));
			free(err);
		}
		for (size_t i = 0; i < lesson_count; i++)
			if (fds[3 + program_count + (int)i].revents) {
				char *err = NULL;
				if (session_serve_programs(tui->session, &err) < 0)
					tui_message(tui, "%s", err ? err : _("out of memory"));
				free(err);
				break;
			}
		for (int i = 0; i < program_count; i++)
			if (fds[3 + i].revents && tui->stepper) {
				step_actions_on_news(tui);
				dirty = true;
				break;
			}
		/* Keys, or after EINTR a resize (SIGWINCH makes getch say KEY_RESIZE). */
		int key;
		while (!tui->quit && (key = getch()) != ERR) {
			dispatch_key(tui, key);
			dirty = true;
		}
		if (!tui->quit && lesson_actions_timeout_ms(tui) == 0) {
			lesson_actions_on_timeout(tui);
			dirty = true;
		}
	}
}

/* What the frontend opens on: a lesson, the menu of `paths`, or free play. */
struct tui_start {
	struct lesson *lesson;
	char **paths;
	size_t count;
	bool play;
	const char *const *step_commands;   /* socklab step: the server's and the client's */
	const char *step_examples;
};

static int open_first_screen(struct tui *tui, const struct tui_start *start, char **err)
{
	if (start->play) {
		char *history_path = history_default_path();
		command_line_init(tui, history_path);
		free(history_path);
		return play_actions_open(tui, err);
	}
	if (start->step_commands) {
		tui->step_commands = start->step_commands;
		tui->step_examples = start->step_examples;
		return step_actions_open(tui, err);
	}
	if (start->lesson)
		return screen_consent_open_lesson(tui, start->lesson, 0, false, err);
	if (screen_menu_load(tui, start->paths, start->count) < 0)
		return text_error(err, "%s", _("out of memory"));
	return 0;
}

/* The student's progress; a file set aside is said once, as a line. The
 * lab works without it. */
static void progress_start(struct tui *tui)
{
	char *warning = NULL, *err = NULL;
	if (progress_load(&tui->progress, NULL, &warning, &err) < 0) {
		tui_message(tui, _("progress not kept: %s"), err ? err : _("out of memory"));
		tui->progress = NULL;
	}
	if (warning) {
		/* One line at 80 columns: the file's name without its directory
		 * (`socklab progress` and the file system say where). */
		const char *dir = tui->progress ? progress_dir(tui->progress) : NULL;
		size_t dir_len = dir ? strlen(dir) : 0;
		char shown[sizeof tui->message];
		size_t length = 0;
		for (const char *c = warning; *c && length + 1 < sizeof shown;) {
			if (dir_len && strncmp(c, dir, dir_len) == 0 && c[dir_len] == '/') {
				c += dir_len + 1;
				continue;
			}
			shown[length++] = *c++;
		}
		shown[length] = '\0';
		tui_message(tui, "%s", shown);
	}
	free(warning);
	free(err);
}

static int tui_main(const struct tui_start *start, struct sandbox *sandbox,
		    const struct tui_options *options)
{
	struct tui tui = {
		.options = options, .sandbox = sandbox, .focus_side = -1, .screen = SCREEN_MENU
	};
	SCREEN *screen = NULL;
	char *err = NULL;
	int code = 0;
	view_init(&tui.view);
	tui.command.screen_y = -1;
	tui.chosen_side = -1;
	tui.quiz.on = options->quiz;
	/* Only the character type: numbers in traces must keep their '.'. */
	setlocale(LC_CTYPE, "");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		err = strdup(start->play ? _("free play needs a terminal (socklab play --plain "
					     "reads calls from stdin)")
				     : start->step_commands
				     ? _("stepping programs needs a terminal (socklab step --plain "
					 "prints a transcript)")
				     : _("the lesson screen needs a terminal (socklab run --plain "
					 "LESSON prints a transcript)"));
		goto failed;
	}
	if (signals_install(&err) < 0)
		goto failed;
	if (!start->play && !start->step_commands)
		progress_start(&tui);
	if (open_first_screen(&tui, start, &err) < 0)
		goto failed;
	if (terminal_start(&tui, &screen, &err) < 0)
		goto failed;
	run_loop(&tui);
	code = tui.exit_code;
	goto done;
failed:
	fprintf(stderr, "socklab: %s\n", err ? err : _("out of memory"));
	free(err);
	code = 2;
done:
	terminal_stop(screen);
	if (code == 2 && tui.message[0])
		fprintf(stderr, "socklab: %s\n", tui.message);
	lesson_actions_close(&tui);   /* saves the progress, writes --trace */
	if (tui.progress_dirty || tui.trace_failed)
		fprintf(stderr, "socklab: %s\n", tui.message);
	if (tui.trace_failed && code == 0)
		code = 2;
	progress_free(tui.progress);
	screen_menu_free(&tui);
	screen_consent_close(&tui);
	page_done(&tui.page);
	view_done(&tui.view);
	command_line_done(&tui.command);
	int stop = signals_pending();
	signals_restore();
	return stop ? 128 + stop : code;
}

int tui_run(struct lesson *lesson, char **lesson_paths, size_t lesson_count,
	    struct sandbox *sandbox, const struct tui_options *options)
{
	struct tui_start start = { .lesson = lesson, .paths = lesson_paths, .count = lesson_count };
	return tui_main(&start, sandbox, options);
}

int tui_play(struct sandbox *sandbox, const struct tui_options *options)
{
	struct tui_start start = { .play = true };
	return tui_main(&start, sandbox, options);
}

int tui_step(const char *const commands[2], const char *examples_dir, struct sandbox *sandbox,
	     const struct tui_options *options)
{
	struct tui_start start = { .step_commands = commands, .step_examples = examples_dir };
	return tui_main(&start, sandbox, options);
}
