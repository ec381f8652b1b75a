/* Tests of the TUI's key table (lab/tui/keys.c): one key, one action.
 *
 * Dispatch takes the first row that matches a key, so a key bound twice
 * would silently lose its second action (and the '?' screen would list a
 * key that does nothing). The quiz panel, the go-to prompt and the command
 * line read keys before this table; they are not checked here.
 */
#include <criterion/criterion.h>

#include <curses.h>

#include "keys.h"

static void expect_each_key_once(const struct key_binding *keys, size_t count, const char *table)
{
	for (size_t i = 0; i < count; i++)
		for (size_t k = i + 1; k < count; k++)
			cr_expect_neq(keys[i].key, keys[k].key,
				      "%s: key %d (%s) is bound to action %d and to action %d",
				      table, keys[i].key, keys[i].name, (int)keys[i].action,
				      (int)keys[k].action);
}

Test(keys, bind_each_key_once)
{
	expect_each_key_once(tui_keys, tui_key_count, "tui_keys");
}

Test(keys, find_the_action_of_every_bound_key)
{
	for (size_t i = 0; i < tui_key_count; i++)
		cr_expect_eq(keys_find_action(tui_keys[i].key), tui_keys[i].action, "%s", tui_keys[i].name);
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
