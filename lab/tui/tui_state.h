/* tui_state — the frontend's state (struct tui), one per run, and each
 * screen's part of it: every screen draws from it and every key's handler
 * changes it, then returns; the loop (tui.c) redraws once. The state is
 * data only: what each screen does is in that screen's own header, and a
 * file includes the headers of the screens it calls, so this header
 * includes no screen's. */
#ifndef SOCKLAB_TUI_STATE_H
#define SOCKLAB_TUI_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "draw.h"
#include "history.h"
#include "keys.h"
#include "ladder.h"
#include "lesson.h"
#include "progress.h"
#include "quiz.h"
#include "tui_options.h"
#include "view.h"

enum tui_screen { SCREEN_MENU, SCREEN_LESSON, SCREEN_CONSENT };

/* The page over the screen (page.h). */
struct tui_page {
	bool open;
	char title[128];
	char **lines;             /* owned */
	size_t count, capacity;
	size_t top;               /* first line shown */
	bool incomplete;          /* a line could not be added (out of memory) */
};

/* The menu (screen_menu.h). */
struct menu_entry {
	const char *path;             /* borrowed from tui_run's caller */
	struct lesson *lesson;        /* owned; NULL when the file is broken */
	struct diagnostics diagnostics;   /* owned: why it is broken */
};

/* What the menu's own keys have typed: a lesson's number, a search. */
struct menu_typing {
	char number[8];                   /* digits typed so far; the lesson they
	                                     name is selected */
	bool searching;                   /* '/' opened the search line on the key line */
	char search[64];                  /* NUL-terminated */
	size_t before;                    /* the selection Esc goes back to */
	bool before_on_continue;
};

/* The ladder (screen_ladder.h). */
struct ladder_screen {
	bool open;                         /* shown instead of the panes */
	struct ladder model;               /* rebuilt with the view while open */
	size_t top;                        /* first row shown */
	bool follow;                       /* keep the step on screen in sight: set by every step,
	                                      cleared by scrolling */
	size_t built_step;                 /* the position the model was built for */
	int built_half;
};

/* Free play's command line (command_line.h). */
enum { COMMAND_LINE_MAX = 512 };   /* bytes one typed line may take */

struct command_line {
	bool open;                         /* keys go to the line, not to the screen */
	char text[COMMAND_LINE_MAX];       /* NUL-terminated */
	size_t length;                     /* bytes */
	size_t cursor;                     /* byte offset, at a character's first byte */
	struct history history;            /* owned */
	size_t history_at;                 /* the entry shown; history.count: the
	                                      line being typed */
	char draft[COMMAND_LINE_MAX];      /* the line being typed, kept while Up
	                                      walks the history */
	char problem[300];                 /* the parser's message for the line (no
	                                      position), or "" */
	size_t problem_at;                 /* the byte of the line it points at */
	char hint[300];                    /* under the line: completion candidates, what
	                                      an argument is */
	bool history_warned;               /* a history that cannot be written is said once */
	int screen_y, screen_x;            /* where drawing puts the terminal
	                                      cursor; y -1: hidden */
	bool problem_cut;                  /* drawing found no room for the problem
	                                      beside its caret */
	/* Enter: the line's owner (free play) runs it; true when done with
	 * (the line clears), false when it stays to be fixed. */
	bool (*run)(struct tui *tui, const char *line);
};

/* Predict, then step (quiz_panel.h). The panel's model: which step it
 * asks about, the student's picks so far, and after the step the score
 * quiz_score gave. The quiz decides; the panel only asks and shows. */
struct quiz_panel {
	bool on;                           /* predict mode (p, or --quiz) */
	bool asking;                       /* the questions of the next step are open */
	bool told;                         /* the verdicts of the step just run are shown */
	struct quiz_choices choices;       /* borrowed from the lesson */
	struct quiz_prediction prediction;
	size_t question;                   /* 0: the result (when there are answers),
	                                      then each socket */
	size_t question_count;
	int cursor;                        /* the highlighted choice of the question */
	int pending;                       /* a first digit waiting for a second (1 of 13), or 0 */
	int hint_level;                    /* the highest hint shown for the question */
	char hint[320];
	struct quiz_score score;           /* of the step just run, while told */
	size_t score_step;                 /* that step, 1-based */
	struct quiz_tally tally;           /* this run of the lesson */
	/* Runs the step asked about (the lesson screen's); false at the end. */
	bool (*advance)(struct tui *tui);
};

/* The consent question (screen_consent.h). */
struct consent_question {
	struct lesson *lesson;             /* borrowed: waits for y; NULL when nothing is asked */
	size_t step;                       /* where it opens once allowed (menu "continue") */
	bool from_menu;                    /* n goes back to the menu; else n quits */
	char *programs;                    /* owned: consent_describe's lines */
};

struct tui {
	const struct tui_options *options;
	bool trace_written;                /* --trace: the lesson was left, its steps
	                                      are in the file */
	bool trace_failed;                 /* ... or could not be: tui->message says why */
	bool trace_begun;                  /* --trace: the file has its first line */
	size_t trace_events;               /* --trace: events of the session in the file so far */
	bool trace_rewind;                 /* --trace: the session went back, the
	                                      file starts again */
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
	struct session *session;           /* owned, unless release_session is set */
	/* Free play's or stepping's: frees what owns the session, and so the
	 * session; NULL: the lesson's own. */
	void (*release_session)(struct tui *tui);
	size_t sessions_started;           /* a second lesson gets a fresh sandbox */
	int half;                          /* which half of the step on screen; see view.h */
	struct lesson_view view;
	int focus_side;                    /* the focused pane's side, -1 none */
	size_t selected;                   /* the selected socket among the focused side's */
	int right_side;                    /* the side in the second pane */
	int chosen_side;                   /* the side the switch key put there, -1 none
	                                      (the last to act) */
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
	struct play *play;                 /* owned, NULL in a lesson; tui->session
	                                      is its session */
	struct command_line command;
	bool cursor_shown;                 /* the terminal's cursor is visible (curs_set) */
	/* Stepping programs (socklab step). */
	struct stepper *stepper;           /* owned, NULL otherwise; tui->session is its session */
	int step_side;                     /* whose held call space runs */
	const char *const *step_commands;  /* the server's and the client's command, borrowed */
	const char *step_examples;         /* where the Python line reporter is, borrowed */
	struct view_note *step_notes;      /* owned: each exec of a program, a row of its pane */
	size_t step_note_count, step_note_capacity;
	/* Predict, then step. */
	struct quiz_panel quiz;
	/* A lesson not shipped with socklab, asking before its programs start. */
	struct consent_question consent;
	/* Progress: NULL when it cannot be kept (said once). */
	struct progress *progress;         /* owned */
	bool progress_dirty;               /* recorded since the last save */
	size_t recorded_step;              /* the step last recorded for the lesson shown,
	                                      SIZE_MAX none */
	bool menu_on_continue;             /* the menu's "continue" row is selected */
	struct menu_typing menu_typing;
	char recorded_lesson[PROGRESS_NAME_MAX];   /* the lesson this run recorded last, "" none:
	                                      it wins over progress_latest, whose clock
	                                      ticks in seconds */
};

/* Saves the progress file when something changed; a failure becomes a
 * message (and progress_dirty stays set). Returns 0 or -1. */
int tui_save_progress(struct tui *tui);
/* CLOCK_MONOTONIC, in ms (tui_state.c, as the two below). */
uint64_t tui_now_ms(void);
/* Shows `text` on the key line until the next key. */
void tui_message(struct tui *tui, const char *format, ...) __attribute__((format(printf, 2, 3)));

#endif
