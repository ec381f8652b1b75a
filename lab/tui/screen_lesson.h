/* screen_lesson — the lesson screen drawn from the view (screen_lesson.c):
 * header, panes, explanation, key line. */
#ifndef SOCKLAB_TUI_SCREEN_LESSON_H
#define SOCKLAB_TUI_SCREEN_LESSON_H

#include <curses.h>
#include <stdbool.h>

struct tui;
struct tui_style;
struct lesson_view;

/* The lesson screen: the panes (tui.c draws the projector's screen instead
 * where screen_projector_shown). */
void screen_lesson_draw(struct tui *tui);
/* Draws the lesson screen of `view` at the terminal's size: the part the
 * benchmark times. */
void screen_lesson_draw_view(struct tui *tui, const struct lesson_view *view);
/* The key line of the lesson screen at row y, or what takes it over. */
void screen_lesson_key_line_draw(struct tui *tui, int y, int width);
/* The lesson screen's header (row 0): lesson, step k/n, sandbox. */
void screen_lesson_header_draw(struct tui *tui, const struct lesson_view *view, int width);
/* What takes the key line over (the go-to prompt, a message, autoplay's
 * pace, free play's line keys); false, nothing drawn, when nothing does. */
bool screen_lesson_status_draw(struct tui *tui, int y, int width);
/* `text` with " -> " drawn as an arrow where the terminal has one: the
 * columns used. */
int screen_lesson_arrows_draw(const struct tui_style *style, int y, int x, const char *text,
			      int max_columns, attr_t attr);
/* The segments the kernel holds (view->held), "held" and then at most two
 * rows from y: the rows it takes (0 when nothing is held); draws only
 * when `draw`. */
int screen_lesson_held_draw(const struct tui_style *style, const char *held, int y, int width,
			    bool draw);

#endif
