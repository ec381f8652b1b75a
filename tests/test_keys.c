/* Tests of the TUI's key tables (lab/tui/keys.c, the command line's in
 * lab/tui/command_line.c): one key, one meaning in each context.
 *
 * A table is read first row first, so a key bound twice in one context
 * would silently lose its second meaning (and the '?' screen would list
 * a key that does nothing there). dispatch.c asks the places that read
 * keys in one order: the command line before the key table, so a key in
 * both means the line's while it is open; within one table, twice is a
 * mistake. The quiz panel, the go-to prompt and the menu's typing read
 * their keys with a switch, where a key twice does not compile.
 */
#include <criterion/criterion.h>
#include <curses.h>
#include <stdint.h>

#include "command_line.h"
#include "keys.h"

enum { MAX_KEYS = 128 };

/* The row where a key already bound in `keys` comes again, or SIZE_MAX. */
static size_t find_key_bound_twice(const struct key_name *keys, size_t count, size_t *first)
{
	for (size_t i = 0; i < count; i++)
		for (size_t k = i + 1; k < count; k++)
			if (keys[i].key == keys[k].key) {
				*first = i;
				return k;
			}
	return SIZE_MAX;
}

static void expect_each_key_once(const struct key_name *keys, size_t count, const char *context)
{
	size_t first = 0;
	size_t again = find_key_bound_twice(keys, count, &first);
	cr_expect_eq(again, SIZE_MAX,
		     "%s: key %d is bound in row %zu (%s) and again in row %zu (%s)", context,
		     again == SIZE_MAX ? 0 : keys[again].key, first, keys[first].name, again,
		     again == SIZE_MAX ? "" : keys[again].name);
}

/* The check itself: it must see a key twice where there is one. */
Test(keys, find_a_key_bound_twice)
{
	const struct key_name keys[] = {
		{ 'a', "a" }, { KEY_UP, "Up" }, { 'k', "k" }, { KEY_UP, "Up" },
	};
	size_t first = 0;
	cr_expect_eq(find_key_bound_twice(keys, 4, &first), 3);
	cr_expect_eq(first, 1);
	cr_expect_eq(find_key_bound_twice(keys, 3, &first), SIZE_MAX);
}

Test(keys, bind_each_key_once_in_the_key_table)
{
	cr_assert_leq(tui_key_count, MAX_KEYS);
	struct key_name keys[MAX_KEYS];
	for (size_t i = 0; i < tui_key_count; i++)
		keys[i] = (struct key_name){ tui_keys[i].key, tui_keys[i].name };
	expect_each_key_once(keys, tui_key_count, "the key table");
}

Test(keys, bind_each_key_once_on_the_command_line)
{
	struct key_name keys[MAX_KEYS];
	size_t count = command_line_key_names(keys, MAX_KEYS);
	cr_assert_gt(count, 0);
	cr_assert_leq(count, MAX_KEYS);
	expect_each_key_once(keys, count, "the command line");
}

Test(keys, find_the_action_of_every_bound_key)
{
	for (size_t i = 0; i < tui_key_count; i++)
		cr_expect_eq(keys_find_action(tui_keys[i].key), tui_keys[i].action, "%s",
			     tui_keys[i].name);
}

/* A presenter's clicker sends PgDn and PgUp (some Right and Left): they
 * step on every screen of a lesson, the ladder's too; paging is elsewhere. */
Test(keys, give_a_clicker_next_and_back_everywhere)
{
	cr_expect_eq(keys_find_action(KEY_NPAGE), ACTION_NEXT);
	cr_expect_eq(keys_find_action(KEY_RIGHT), ACTION_NEXT);
	cr_expect_eq(keys_find_action(' '), ACTION_NEXT);
	cr_expect_eq(keys_find_action(KEY_PPAGE), ACTION_BACK);
	cr_expect_eq(keys_find_action(KEY_LEFT), ACTION_BACK);
	cr_expect_eq(keys_find_action(KEY_SNEXT), ACTION_PAGE_DOWN);
	cr_expect_eq(keys_find_action(KEY_SPREVIOUS), ACTION_PAGE_UP);
	cr_expect_eq(keys_find_action('.'), ACTION_BLANK);
	cr_expect_eq(keys_find_action('B'), ACTION_BLANK);
}

Test(keys, find_nothing_for_an_unbound_key)
{
	cr_expect_eq(keys_find_action('z'), ACTION_NONE);
	cr_expect_eq(keys_find_action(-1), ACTION_NONE);
}

Test(keys, name_every_binding_and_give_it_a_real_action)
{
	for (size_t i = 0; i < tui_key_count; i++) {
		cr_expect(tui_keys[i].name && tui_keys[i].name[0], "row %zu has no name", i);
		cr_expect(tui_keys[i].action > ACTION_NONE && tui_keys[i].action < ACTION_COUNT,
			  "%s", tui_keys[i].name);
	}
}

Test(keys, give_every_action_a_key_and_a_help_text)
{
	for (int action = ACTION_NONE + 1; action < ACTION_COUNT; action++) {
		bool bound = false;
		for (size_t i = 0; i < tui_key_count; i++)
			bound |= tui_keys[i].action == (enum tui_action)action;
		cr_expect(bound, "action %d has no key", action);
		cr_expect_gt(strlen(keys_action_help((enum tui_action)action)), 0,
			     "action %d has no help", action);
	}
	cr_expect_str_eq(keys_action_label(ACTION_NEXT), "next");
	cr_expect_null(keys_action_label(ACTION_COUNT));
}
