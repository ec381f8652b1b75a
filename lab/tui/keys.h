/* keys — the actions, the key table that names a key for each, and the words
 * for both (keys.c). One list makes the action enum, the key line's labels
 * and the '?' screen's help; a handler table per screen maps an action to
 * what that screen does with it. */
#ifndef SOCKLAB_TUI_KEYS_H
#define SOCKLAB_TUI_KEYS_H

#include <stddef.h>

/* One list: the action enum, its key-line label and its help text. */
#define TUI_ACTIONS(_) \
	_(NEXT, "next", "next step (or the second half of a step that woke a blocked call)") \
	_(BACK, "back", \
	  "back one step: re-runs the lesson in a fresh sandbox, so what shows is real") \
	_(RESTART, "restart", "restart the lesson: fresh sandbox, before step 1") \
	_(AUTOPLAY, "autoplay", "autoplay: step by itself at a steady pace (again: stop)") \
	_(FASTER, NULL, "autoplay faster") \
	_(SLOWER, NULL, "autoplay slower") \
	_(GOTO, "go to", "go to a step: type its number, then Enter") \
	_(COMMAND, "type a call", \
	  "the command line, to type a call on any side; in a lesson, free play goes on from the " \
	  "step on screen (the lesson's calls run again in a fresh sandbox)") \
	_(FIRST, NULL, "go to the start, before step 1; in the ladder its first line") \
	_(LAST, NULL, \
	  "run every step to the end; in the ladder its last line (it follows the steps again)") \
	_(FOCUS, "pane", \
	  "focus a pane (again: the next one), to select its sockets; stepping programs with " \
	  "several tasks of a side held: the next task, the one the next key releases") \
	_(FOCUS_BACK, NULL, "focus the previous pane; stepping programs: the previous held task") \
	_(SWITCH_SIDE, "side", \
	  "with three sides or more: the next side into the second pane (the others keep a " \
	  "one-line summary); stepping programs: whose held call space runs next") \
	_(PREDICT, "predict", \
	  "predict mode: before each step, predict what the call returns and the state of each " \
	  "socket (digits or arrows and Enter, h a hint, Esc skips); then the kernel judges, and " \
	  "the header keeps the score") \
	_(UP, NULL, \
	  "select the socket above; in the menu the lesson above; in a page or the ladder " \
	  "scroll; stepping programs with no pane focused: the previous held task") \
	_(DOWN, NULL, \
	  "select the socket below; in the menu the lesson below; in a page or the ladder " \
	  "scroll; stepping programs with no pane focused: the next held task") \
	_(PAGE_UP, NULL, \
	  "in the ladder or a page: scroll a page up (PgUp steps back everywhere in a lesson)") \
	_(PAGE_DOWN, NULL, \
	  "in the ladder or a page: scroll a page down (PgDn steps everywhere in a lesson)") \
	_(OPEN, NULL, \
	  "details of the selected socket (every field the kernel gave); in the menu open " \
	  "the lesson") \
	_(TEXT, "text", "the whole explanation of the step, when the screen cuts it") \
	_(WIRE, "wire", \
	  "the wire: a ladder diagram of the packets each step sent, under the call that sent " \
	  "them, with the states after it (again, Esc or q: back to the lesson screen)") \
	_(EXPORT, "export", \
	  "in the ladder: write it as it stands to an SVG file in the current directory (the key " \
	  "line says which; socklab export writes a whole run)") \
	_(RELEASE, "release", \
	  "with --hold: let the oldest held segment go on, and see the states it causes") \
	_(DROP, "drop", \
	  "with --hold: drop the oldest held segment; its sender's kernel sends it again after " \
	  "its retransmission timeout (about a second)") \
	_(HELP, "help", "this help") \
	_(BLANK, NULL, "blank the screen, as slide software does; any key brings it back") \
	_(CLOSE, NULL, "leave the focused pane or the ladder; close a page") \
	_(QUIT, "quit", \
	  "quit (a lesson opened from the menu goes back to the menu); in the ladder back to " \
	  "the panes") \
	_(REDRAW, NULL, "redraw the screen")

#define TUI_ACTION_ENUM(name, label, help) ACTION_##name,
enum tui_action {
	ACTION_NONE,
	TUI_ACTIONS(TUI_ACTION_ENUM)
	ACTION_COUNT
};
#undef TUI_ACTION_ENUM

struct key_binding {
	int key;                /* as getch() returns it */
	const char *name;       /* for people: "space", "PgDn" */
	enum tui_action action;
};

extern const struct key_binding tui_keys[];
extern const size_t tui_key_count;

/* A key and its name, as any table of keys holds them: what the check for
 * a key bound twice in one context reads (tests/test_keys.c). */
struct key_name {
	int key;
	const char *name;
};

/* The action bound to `key`, or ACTION_NONE. A key means the same on
 * every screen of a lesson: a clicker's PgDn steps in the ladder and
 * closes a page to step. */
enum tui_action keys_find_action(int key);
/* The name of the action's first key (\"space\"), or NULL when none is bound. */
const char *keys_action_key_name(enum tui_action action);
/* The action's key-line label ("next"), or NULL when it has none. */
const char *keys_action_label(enum tui_action action);
/* Its help text. */
const char *keys_action_help(enum tui_action action);

struct tui;
typedef void (*tui_handler)(struct tui *tui);

#endif
