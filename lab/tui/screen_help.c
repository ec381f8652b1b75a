/* screen_help — the '?' page, written from the key table and the marks
 * the lesson screen uses, so it cannot fall out of date. */
#include "screen_help.h"

#include "tui_state.h"
#include "command_line.h"
#include "i18n.h"
#include "page.h"
#include "play_actions.h"
#include "quiz_panel.h"
#include "screen_menu.h"

#include <stdio.h>
#include <string.h>

/* "space n Right PgDn": every key of one action in `keys`, after `length` bytes of out. */
static size_t keys_in(const struct key_binding *keys, size_t count, enum tui_action action,
		      char *out, size_t size, size_t length)
{
	for (size_t i = 0; i < count && length < size; i++) {
		if (keys[i].action != action)
			continue;
		/* Enter has three codes; name it once. */
		bool seen = false;
		for (size_t k = 0; k < i; k++)
			if (keys[k].action == action && strcmp(keys[k].name, keys[i].name) == 0)
				seen = true;
		if (!seen)
			length += (size_t)snprintf(out + length, size - length, "%s%s",
						   length ? " " : "", keys[i].name);
	}
	return length;
}

static void keys_of(enum tui_action action, char *out, size_t size)
{
	out[0] = '\0';
	keys_in(tui_keys, tui_key_count, action, out, size, 0);
}

/* What the marks on the lesson screen mean: each mark in the words the
 * screen uses (the same messages), its meaning wrapped beside it. */
struct legend_row {
	const char *mark;
	const char *meaning;
};

static const struct legend_row legend[] = {
	{ ">", N_("the call made (or woken) in the step on screen") },
	{ "*", N_("what the step on screen changed: a new socket, a state, a queue (also bold or "
		  "coloured where the terminal can; the * is always there)") },
	{ N_("... blocked"),
	  N_("the call sleeps in the kernel until another side's call wakes it") },
	{ N_("FAILED"), N_("an expectation of the lesson that the kernel did not meet") },
	{ N_("why:"), N_("what the lab measured that explains a refused call (the sockets before "
			 "it)") },
	{ "fd --", N_("a socket no file descriptor holds: waiting in the accept queue, or closed "
		      "by the program while the kernel finishes the connection") },
	{ "part 1/2", N_("a call that woke a blocked call shows in two parts: first the call and "
			 "the kernel right after it, then the woken call returning") },
	{ N_("wire"), N_("the packets the step sent, each with its arrow toward the pane of the "
			 "side it went to; w shows them all as a ladder, under the calls") },
	{ N_("held"), N_("segments the kernel holds (wire: hold lessons): a release() step lets "
			 "the side's oldest one go, a drop() step loses it") },
	{ N_("resent"), N_("the kernel resent a held segment (its retransmission timer): "
			   "release() lets one copy go and drops the others") },
	{ N_("timer"), N_("a state the lesson expects had ended on its kernel timer (TIME-WAIT's "
			  "60 s) before the step: said in words, not a failure") },
};

enum { LEGEND_INDENT = 15 };   /* "  ... blocked  ": the longest mark and a gap */

void screen_help_open(struct tui *tui)
{
	struct tui_page *page = &tui->page;
	int width = COLS > 4 ? COLS - 2 : 78;
	page_clear(page, _("socklab help: keys"));
	page_add(page, "%s", "");
	for (int action = ACTION_NONE + 1; action < ACTION_COUNT; action++) {
		char keys[96];
		keys_of((enum tui_action)action, keys, sizeof keys);
		if (keys[0])
			page_add_key_row(page, keys, keys_action_help((enum tui_action)action),
					 width);
	}
	quiz_panel_help(page, width);
	screen_menu_help(page, width);
	if (tui->play) {
		command_line_help(page, width);
		play_actions_commands_help(page, width);
	}
	page_add(page, "%s", "");
	page_add(page, "%s", _("Marks on the lesson screen"));
	page_add(page, "%s", "");
	for (size_t i = 0; i < sizeof legend / sizeof legend[0]; i++)
		page_add_term_row(page, _(legend[i].mark), _(legend[i].meaning), LEGEND_INDENT,
				  width);
	page_add(page, "%s", "");
	page_add_wrapped(page, "  ",
			 _("Projector screen (--big, or a terminal of 160x45 and more): each state "
			   "in large letters, a '*' before what changed; the step's packets as "
			   "large arrows between the panes, from the side that sent them."),
			 width);
	page_add(page, "%s", "");
	page_add_wrapped(page, "  ",
			 _("In the ladder: one lane a side, one arrow a packet (flags, seq and ack "
			   "counted from each side's first, len with data); on a step's line the "
			   "states of the lanes' sockets after it, *STATE one the side entered in "
			   "that step."),
			 width);
	page_add(page, "%s", "");
	page_add_wrapped(page, "  ",
			 _("Every socket shown was read from the kernel after the call (sock_diag, "
			   "as ss does). Back and go-to re-run the lesson from a fresh sandbox, so "
			   "an earlier step shows the kernel's real state, not a saved picture. "
			   "Bytes a peer sent are shown escaped (\\n, \\xHH)."),
			 width);
}
