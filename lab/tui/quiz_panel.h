/* quiz_panel — predict, then step (quiz_panel.c): the panel that asks what
 * the next step returns and shows the kernel's verdicts. */
#ifndef SOCKLAB_TUI_QUIZ_PANEL_H
#define SOCKLAB_TUI_QUIZ_PANEL_H

#include <stdbool.h>
#include <stddef.h>

#include "quiz.h"

struct tui;
struct tui_page;

/* Forgets the questions and the score (a lesson opened). */
void quiz_panel_reset(struct tui *tui);
/* Space on the lesson screen in predict mode: true when the panel took it
 * (it opened the next step's questions, or they are open); false when a
 * step may run now (a second half, the end, nothing to predict). */
bool quiz_panel_before_step(struct tui *tui);
/* A key while the questions are open; true when the panel took it. The
 * last answer (or Esc) runs the step and shows the verdicts. */
bool quiz_panel_key(struct tui *tui, int key);
/* Closes the panel without scoring (the student went back, restarted). */
void quiz_panel_close(struct tui *tui);
/* The panel's rows at `width` (0: nothing to show), and drawing it. */
int quiz_panel_rows(const struct tui *tui, int width);
void quiz_panel_draw(struct tui *tui, int y, int width, int rows);
/* The header's "quiz 3/5", or "" when predict mode is off. */
void quiz_panel_header(const struct tui *tui, char *out, size_t size);
/* The keys of the panel, for the help page. */
void quiz_panel_help(struct tui_page *page, int width);

#endif
