/* dispatch — one order for every key.
 *
 * Typing comes before the key table: while the quiz panel asks, the go-to
 * prompt or the command line is open, or the menu is searched, a letter
 * is an answer or text, not a command. Each place below either takes the
 * key (and it goes no further) or lets it fall to the next; the last one,
 * the key table, always takes it. */
#include "dispatch.h"

#include <curses.h>

#include "tui_state.h"
#include "command_line.h"
#include "lesson_actions.h"
#include "page.h"
#include "play_actions.h"
#include "screen_help.h"
#include "quiz_panel.h"
#include "screen_consent.h"
#include "screen_ladder.h"
#include "screen_menu.h"
#include "step_actions.h"

/* A place that may take a key: true when it did. `action` is the key
 * table's reading of the key (ACTION_NONE for an unbound key). */
typedef bool key_taker(struct tui *tui, int key, enum tui_action action);

/* A blanked screen: any key only brings it back. */
static bool take_unblank(struct tui *tui, int key, enum tui_action action)
{
	(void)key, (void)action;
	if (!tui->blank)
		return false;
	tui->blank = false;
	return true;
}

/* A terminal too small to draw on: nothing to see, only quitting makes sense. */
static bool take_too_small(struct tui *tui, int key, enum tui_action action)
{
	(void)key;
	if (COLS >= TUI_MIN_WIDTH && LINES >= TUI_MIN_HEIGHT)
		return false;
	if (action == ACTION_QUIT)
		tui->quit = true;
	return true;
}

/* The consent question: y opens the lesson, any other key does not. */
static bool take_consent(struct tui *tui, int key, enum tui_action action)
{
	(void)action;
	if (tui->screen != SCREEN_CONSENT)
		return false;
	screen_consent_key(tui, key);
	return true;
}

/* . and B blank the screen, except into a line being typed. */
static bool take_blank(struct tui *tui, int key, enum tui_action action)
{
	(void)key;
	if (action != ACTION_BLANK || tui->command.open || tui->prompt_open)
		return false;
	tui->blank = true;
	return true;
}

/* The lesson screen's typing, when no page covers it. */
static bool lesson_typing(const struct tui *tui)
{
	return !tui->page.open && tui->screen == SCREEN_LESSON;
}

static bool take_quiz(struct tui *tui, int key, enum tui_action action)
{
	(void)action;
	return lesson_typing(tui) && quiz_panel_key(tui, key);
}

static bool take_prompt(struct tui *tui, int key, enum tui_action action)
{
	(void)action;
	return lesson_typing(tui) && lesson_actions_prompt_key(tui, key);
}

static bool take_command_line(struct tui *tui, int key, enum tui_action action)
{
	(void)action;
	return lesson_typing(tui) && command_line_key(tui, key);
}

/* The menu's digits, '/' search, g and G; on a lesson opened from the
 * menu, n at its end opens the next one. */
static bool take_menu_typing(struct tui *tui, int key, enum tui_action action)
{
	(void)action;
	if (tui->page.open)
		return false;
	return tui->screen == SCREEN_MENU ? screen_menu_key(tui, key)
					  : screen_menu_next_lesson_key(tui, key);
}

/* A page over a lesson: next and back close it and go on to the lesson,
 * so a clicker never gets stuck in the help or a socket's details. Over
 * the menu the page's own handlers scroll. */
static bool take_page_over_lesson(struct tui *tui, int key, enum tui_action action)
{
	(void)key;
	if (tui->page.open && tui->screen == SCREEN_LESSON
	    && (action == ACTION_NEXT || action == ACTION_BACK))
		page_done(&tui->page);
	return false;
}

/* ':' in the ladder types a call on the lesson screen's command line:
 * the ladder closes, and the lesson screen takes the key. */
static bool take_ladder_command(struct tui *tui, int key, enum tui_action action)
{
	(void)key;
	if (!tui->page.open && tui->ladder.open && action == ACTION_COMMAND)
		screen_ladder_close(tui);
	return false;
}

/* The key table: the action's handler on the screen on top. */
static bool take_screen(struct tui *tui, int key, enum tui_action action)
{
	(void)key;
	tui_handler handler = action != ACTION_NONE ? dispatch_handler_for(tui, action) : NULL;
	if (handler)
		handler(tui);
	else if (action == ACTION_NONE)
		tui_message(tui, "? shows the keys");
	return true;
}

/* The order, first to last. */
static key_taker *const key_takers[] = {
	take_unblank,
	take_too_small,
	take_consent,
	take_blank,
	take_quiz,
	take_prompt,
	take_command_line,
	take_menu_typing,
	take_page_over_lesson,
	take_ladder_command,
	take_screen,
};

void dispatch_key(struct tui *tui, int key)
{
	if (key == KEY_RESIZE)
		return;   /* curses has resized stdscr; the redraw follows */
	tui->message[0] = '\0';
	enum tui_action action = keys_find_action(key);
	for (size_t i = 0; i < sizeof key_takers / sizeof key_takers[0]; i++)
		if (key_takers[i](tui, key, action))
			return;
}

/* The page takes every action while open; the help opens over every
 * screen; the ladder overrides the lesson screen's where it scrolls, free
 * play and stepping where a lesson's steps mean nothing, and a lesson's
 * ':' is free play's way in. */
tui_handler dispatch_handler_for(const struct tui *tui, enum tui_action action)
{
	if (tui->page.open)
		return page_handlers[action];
	if (action == ACTION_HELP)
		return screen_help_open;   /* over every screen, written for the one on top */
	if (tui->screen == SCREEN_MENU)
		return screen_menu_handlers[action];
	if (tui->ladder.open && screen_ladder_handlers[action])
		return screen_ladder_handlers[action];
	if (tui->play && play_actions_handlers[action])
		return play_actions_handlers[action];
	if (tui->stepper && step_actions_handlers[action])
		return step_actions_handlers[action];
	if (!tui->play && !tui->stepper && play_actions_entry_handlers[action])
		return play_actions_entry_handlers[action];
	return lesson_actions_handlers[action];
}
