/* tui_internal — what the files of lab/tui/ share; nothing outside includes it.
 *
 * One struct tui holds the frontend's state; every screen draws from it
 * and every key becomes an action (keys.c) that the screen on top handles
 * through its own table of handlers. Handlers change the state or ask the
 * session for a step and return; the main loop (tui.c) redraws once. */
#ifndef SOCKLAB_TUI_INTERNAL_H
#define SOCKLAB_TUI_INTERNAL_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"
#include "ladder.h"
#include "lesson.h"
#include "play.h"
#include "progress.h"
#include "quiz.h"
#include "sandbox.h"
#include "session.h"
#include "tui.h"
#include "view.h"

#include "keys.h"

#include "draw.h"

#include "page.h"
#include "screen_details.h"
#include "screen_help.h"

#include "screen_menu.h"

/* ---- the lesson (navigate.c, screen_lesson.c) -------------------------- */

enum tui_screen { SCREEN_MENU, SCREEN_LESSON, SCREEN_CONSENT };

/* Starts a session for `lesson` (borrowed) and shows it. Returns 0, or -1
 * with *err. */
int lesson_open(struct tui *tui, const struct lesson *lesson, char **err);
/* Shows tui->session from its start: no focus, no autoplay, the view built. */
void lesson_show(struct tui *tui);
void lesson_close(struct tui *tui);
/* Rebuilds the view after the session or the half on screen changed. */
void lesson_refresh_view(struct tui *tui);
/* One step (or half step) forward; false at the end. */
bool lesson_advance(struct tui *tui);
/* The next autoplay or timer event, in ms from now; -1 for none. */
int lesson_timeout_ms(const struct tui *tui);
/* The timeout passed: autoplay steps, a TIME-WAIT timer is read again. */
void lesson_on_timeout(struct tui *tui);
/* A key while the go-to prompt is open; true when it took the key. */
bool lesson_prompt_key(struct tui *tui, int key);
void lesson_draw(struct tui *tui);
extern const tui_handler lesson_handlers[ACTION_COUNT];

/* Draws the lesson screen of `view` at the terminal's size: the part the
 * benchmark times. */
void lesson_draw_view(struct tui *tui, const struct lesson_view *view);
/* The key line of the lesson screen at row y, or what takes it over. */
void lesson_key_line_draw(struct tui *tui, int y, int width);
/* The projector screen (screen_projector.c, laid out by projector.h): shown
 * instead of the panes with --big or on a terminal of 160x45 and more. */
bool projector_shown(const struct tui *tui);
void projector_draw(struct tui *tui);
/* The lesson screen's header (row 0): lesson, step k/n, sandbox. */
void lesson_header_draw(struct tui *tui, const struct lesson_view *view, int width);
/* What takes the key line over (the go-to prompt, a message, autoplay's
 * pace, free play's line keys); false, nothing drawn, when nothing does. */
bool lesson_status_draw(struct tui *tui, int y, int width);
/* `text` with " -> " drawn as an arrow where the terminal has one: the
 * columns used. */
int lesson_arrows_draw(const struct tui_style *style, int y, int x, const char *text, int max_columns, attr_t attr);
/* The segments the kernel holds (view->held), "held" and then at most two
 * rows from y: the rows it takes (0 when nothing is held); draws only
 * when `draw`. */
int lesson_held_draw(const struct tui_style *style, const char *held, int y, int width, bool draw);

#include "screen_ladder.h"

#include "command_line.h"
#include "play_actions.h"

#include "step_actions.h"

#include "quiz_panel.h"

/* ---- progress (lesson_actions.c, screen_menu.c) ------------------------ */

/* Records the step on screen (when it moved) for the lesson shown. */
void lesson_record_progress(struct tui *tui);
/* Saves the progress file when something changed; a failure becomes a
 * message (and progress_dirty stays set). Returns 0 or -1. */
int tui_save_progress(struct tui *tui);
/* Runs or re-runs the lesson to `steps_done` steps, the whole last step shown. */
void lesson_go_to(struct tui *tui, size_t steps_done);

/* ---- the consent question (screen_consent.c) --------------------------- */

struct consent_question {
	struct lesson *lesson;             /* borrowed: waits for y; NULL when nothing is asked */
	size_t step;                       /* where it opens once allowed (menu "continue") */
	bool from_menu;                    /* n goes back to the menu; else n quits */
	char *programs;                    /* owned: consent_describe's lines */
};

/* Opens `lesson` (from the menu, or the command line's), run on to
 * `step`; a lesson whose programs are not allowed yet asks first, and
 * opens on y. Returns 0, or -1 with *err (lesson_open's). */
int consent_open_lesson(struct tui *tui, struct lesson *lesson, size_t step, bool from_menu, char **err);
/* A key while the question is shown: y opens the lesson, any other does not. */
void consent_key(struct tui *tui, int key);
void consent_draw(struct tui *tui);
/* Forgets the question; safe twice. */
void consent_close(struct tui *tui);

/* ---- the whole frontend ------------------------------------------------ */

struct tui {
	const struct tui_options *options;
	bool trace_written;                /* --trace: the lesson was left, its steps are in the file */
	bool trace_failed;                 /* ... or could not be: tui->message says why */
	bool trace_begun;                  /* --trace: the file has its first line */
	size_t trace_events;               /* --trace: events of the session in the file so far */
	bool trace_rewind;                 /* --trace: the session went back, the file starts again */
	struct sandbox *sandbox;           /* borrowed */
	struct tui_style style;
	enum tui_screen screen;
	bool quit;
	bool blank;                        /* . or B: the screen is blank until the next key */
	int exit_code;
	/* The menu. */
	struct menu_entry *entries;        /* owned */
	size_t entry_count;
	size_t menu_selected;
	bool from_menu;                    /* q in the lesson goes back to the menu */
	/* The lesson. */
	const struct lesson *lesson;       /* borrowed: the caller's or a menu entry's */
	struct session *session;           /* owned (in free play, the play owns it) */
	size_t sessions_started;           /* a second lesson gets a fresh sandbox */
	int half;                          /* which half of the step on screen; see view.h */
	struct lesson_view view;
	int focus_side;                    /* the focused pane's side, -1 none */
	size_t selected;                   /* the selected socket among the focused side's */
	int right_side;                    /* the side in the second pane */
	int chosen_side;                   /* the side the switch key put there, -1 none (the last to act) */
	bool autoplay;
	int autoplay_ms;                   /* pace */
	uint64_t autoplay_due_ms;          /* CLOCK_MONOTONIC */
	uint64_t refresh_due_ms;           /* next TIME-WAIT re-read */
	bool prompt_open;                  /* the go-to prompt */
	char prompt[8];
	char message[300];                 /* shown on the key line until the next key */
	struct tui_page page;
	struct ladder_screen ladder;
	/* Free play. */
	struct play *play;                 /* owned, NULL in a lesson; tui->session is its session */
	struct command_line command;
	bool cursor_shown;                 /* the terminal's cursor is visible (curs_set) */
	/* Stepping programs (socklab step). */
	struct stepper *stepper;           /* owned, NULL otherwise; tui->session is its session */
	int step_side;                     /* whose held call space runs */
	const char *const *step_commands;  /* the server's and the client's command, borrowed */
	const char *step_examples;         /* where the Python line reporter is, borrowed */
	/* Predict, then step. */
	struct quiz_panel quiz;
	/* A lesson not shipped with socklab, asking before its programs start. */
	struct consent_question consent;
	/* Progress: NULL when it cannot be kept (said once). */
	struct progress *progress;         /* owned */
	bool progress_dirty;               /* recorded since the last save */
	size_t recorded_step;              /* the step last recorded for the lesson shown, SIZE_MAX none */
	bool menu_on_continue;             /* the menu's "continue" row is selected */
	struct menu_typing menu_typing;
	char recorded_lesson[PROGRESS_NAME_MAX];   /* the lesson this run recorded last, "" none:
	                                      it wins over progress_latest, whose clock ticks in seconds */
};

uint64_t tui_now_ms(void);
/* The handler of `action` on the screen on top (tui.c), or NULL. */
tui_handler tui_handler_for(const struct tui *tui, enum tui_action action);
/* Shows `text` on the key line until the next key. */
void tui_message(struct tui *tui, const char *format, ...) __attribute__((format(printf, 2, 3)));

#endif
