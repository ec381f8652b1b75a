/* tui_state — the frontend's state (struct tui), one per run: every screen
 * draws from it and every key's handler changes it, then returns; the loop
 * (tui.c) redraws once. Each screen's part is a struct of that screen's
 * header; the functions each screen offers are in that header too, and a
 * file includes the headers of the screens it calls. */
#ifndef SOCKLAB_TUI_STATE_H
#define SOCKLAB_TUI_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "command_line.h"
#include "draw.h"
#include "keys.h"
#include "page.h"
#include "progress.h"
#include "quiz_panel.h"
#include "screen_consent.h"
#include "screen_ladder.h"
#include "screen_menu.h"
#include "tui.h"
#include "view.h"

enum tui_screen { SCREEN_MENU, SCREEN_LESSON, SCREEN_CONSENT };

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

/* Saves the progress file when something changed; a failure becomes a
 * message (and progress_dirty stays set). Returns 0 or -1. */
int tui_save_progress(struct tui *tui);
/* CLOCK_MONOTONIC, in ms (tui_state.c, as the two below). */
uint64_t tui_now_ms(void);
/* Shows `text` on the key line until the next key. */
void tui_message(struct tui *tui, const char *format, ...) __attribute__((format(printf, 2, 3)));

#endif
