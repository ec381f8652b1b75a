/* keys — the key table: which key does what, and the words for it.
 *
 * One table serves dispatch, the key line and the '?' screen, so a key
 * added here is documented by construction. Presenter clickers send PgUp
 * and PgDn (some Left and Right): they are back and next like b and space
 * on every screen of a lesson; the ladder and the pages scroll a page with
 * Shift-PgUp/PgDn or Ctrl-U/Ctrl-D instead. */
#include "keys.h"

#include <curses.h>

#include "i18n.h"

#define CONTROL(letter) ((letter) & 0x1f)
#define ESCAPE 27
#define TAB '\t'

const struct key_binding tui_keys[] = {
	{ ' ', "space", ACTION_NEXT },
	{ 'n', "n", ACTION_NEXT },
	{ KEY_RIGHT, "Right", ACTION_NEXT },
	{ KEY_NPAGE, "PgDn", ACTION_NEXT },
	{ 'b', "b", ACTION_BACK },
	{ KEY_LEFT, "Left", ACTION_BACK },
	{ KEY_PPAGE, "PgUp", ACTION_BACK },
	{ 'r', "r", ACTION_RESTART },
	{ 'a', "a", ACTION_AUTOPLAY },
	{ '+', "+", ACTION_FASTER },
	{ '=', "=", ACTION_FASTER },
	{ '-', "-", ACTION_SLOWER },
	{ 'g', "g", ACTION_GOTO },
	{ ':', ":", ACTION_COMMAND },
	{ KEY_HOME, "Home", ACTION_FIRST },
	{ KEY_END, "End", ACTION_LAST },
	{ TAB, "Tab", ACTION_FOCUS },
	{ KEY_BTAB, "Shift-Tab", ACTION_FOCUS_BACK },
	{ 'c', "c", ACTION_SWITCH_SIDE },
	{ 'p', "p", ACTION_PREDICT },
	{ KEY_UP, "Up", ACTION_UP },
	{ 'k', "k", ACTION_UP },
	{ KEY_DOWN, "Down", ACTION_DOWN },
	{ 'j', "j", ACTION_DOWN },
	{ '\n', "Enter", ACTION_OPEN },
	{ '\r', "Enter", ACTION_OPEN },
	{ KEY_ENTER, "Enter", ACTION_OPEN },
	{ 't', "t", ACTION_TEXT },
	{ 'w', "w", ACTION_WIRE },
	{ 'e', "e", ACTION_EXPORT },
	{ 'x', "x", ACTION_RELEASE },
	{ 'd', "d", ACTION_DROP },
	{ KEY_SPREVIOUS, "Shift-PgUp", ACTION_PAGE_UP },
	{ CONTROL('u'), "Ctrl-U", ACTION_PAGE_UP },
	{ KEY_SNEXT, "Shift-PgDn", ACTION_PAGE_DOWN },
	{ CONTROL('d'), "Ctrl-D", ACTION_PAGE_DOWN },
	{ '?', "?", ACTION_HELP },
	{ KEY_F(1), "F1", ACTION_HELP },
	{ '.', ".", ACTION_BLANK },
	{ 'B', "B", ACTION_BLANK },
	{ ESCAPE, "Esc", ACTION_CLOSE },
	{ 'q', "q", ACTION_QUIT },
	{ 'Q', "Q", ACTION_QUIT },
	{ CONTROL('l'), "Ctrl-L", ACTION_REDRAW },
};
const size_t tui_key_count = sizeof tui_keys / sizeof tui_keys[0];

struct action_words {
	const char *label;   /* on the key line; NULL: only on the help screen */
	const char *help;
};

#define TUI_ACTION_WORDS(name, label, help) [ACTION_##name] = { label, help },
static const struct action_words action_words[ACTION_COUNT] = {
	[ACTION_NONE] = { NULL, "" },
	TUI_ACTIONS(TUI_ACTION_WORDS)
};
#undef TUI_ACTION_WORDS

enum tui_action keys_find_action(int key)
{
	for (size_t i = 0; i < tui_key_count; i++)
		if (tui_keys[i].key == key)
			return tui_keys[i].action;
	return ACTION_NONE;
}

const char *keys_action_key_name(enum tui_action action)
{
	for (size_t i = 0; i < tui_key_count; i++)
		if (tui_keys[i].action == action)
			return tui_keys[i].name;
	return NULL;
}

const char *keys_action_label(enum tui_action action)
{
	const char *label = action < ACTION_COUNT ? action_words[action].label : NULL;
	return label ? _(label) : NULL;   /* tools/make-pot.sh extracts TUI_ACTIONS' words */
}

const char *keys_action_help(enum tui_action action)
{
	return action < ACTION_COUNT && action_words[action].help[0] ? _(action_words[action].help)
								     : "";
}
