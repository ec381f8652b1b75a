/* screen_details — every field the lab holds for one socket, in words. */
#include "screen_details.h"

#include "tui_state.h"
#include "page.h"

#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "plain.h"
#include "i18n.h"
#include "queues.h"

struct change_name {
	unsigned bit;
	const char *name;
};

static const struct change_name change_names[] = {
	{ CHANGE_NEW, N_("new socket") },
	{ CHANGE_STATE, N_("state") },
	{ CHANGE_QUEUE, N_("queue") },
	{ CHANGE_FD, N_("file descriptor") },
	{ CHANGE_ADDRESS, N_("address") },
};

static const char *constant_or_number(enum arg_kind kind, int value, char *buffer, size_t size)
{
	const char *name = catalog_constant_name(kind, value);
	if (name)
		return name;
	snprintf(buffer, size, "%d", value);
	return buffer;
}

/* A label in the language of the interface, padded to LABEL_COLUMNS
 * display columns like the English ones (printf pads bytes, and a Chinese
 * character is three bytes but two columns). */
enum { LABEL_COLUMNS = 12 };
struct label {
	char text[64];
};

static struct label label(const char *word)
{
	struct label made;
	snprintf(made.text, sizeof made.text, "%s", word);
	size_t length = strlen(made.text);
	int pad = LABEL_COLUMNS - draw_columns(made.text);
	snprintf(made.text + length, sizeof made.text - length, "%*s", pad > 0 ? pad : 0, "");
	return made;
}

/* Why a socket has no name, in what is running: a lesson names its
 * sockets, free play names those a typed line assigns, and stepped
 * programs name none (their calls show the fd). */
static const char *no_name(const struct tui *tui)
{
	if (tui->stepper)
		return _("(none: a stepped program's sockets go by their fd)");
	if (tui->play)
		return _("(none: no line assigned it a name)");
	return _("(none: the lesson gave it no name)");
}

void screen_details_open(struct tui *tui, const struct lab_socket *socket)
{
	struct tui_page *page = &tui->page;
	const struct run_info *info = tui->view.info;
	char title[96], family[16], type[16];
	const char *side = socket->side >= 0 && socket->side < info->side_count
		? info->sides[socket->side]
		: _("(not placed)");
	snprintf(title, sizeof title, _("socket details: %s %s"), side,
		 socket->name[0] ? socket->name : _("(no name)"));
	page_clear(page, title);
	page_add(page, "%s", "");
	page_add(page, "  %s %s", label(_("side")).text, side);
	page_add(page, "  %s %s", label(_("name")).text,
		 socket->name[0] ? socket->name : no_name(tui));
	if (socket->fd >= 0)
		page_add(page, "  %-12s %d", "fd", socket->fd);
	else
		page_add(page, "  %-12s %s", "fd", _("none: no file descriptor holds it"));
	page_add(page, "  %-12s %s", "family",
		 constant_or_number(ARG_FAMILY, socket->family, family, sizeof family));
	page_add(page, "  %-12s %s", "type",
		 constant_or_number(ARG_TYPE, socket->type, type, sizeof type));
	if (socket->state)
		page_add(page, _("  %-12s %s (kernel state number %d)"), "state",
			 plain_state_text(socket), socket->state);
	else
		page_add(page, "  %-12s %s", "state",
			 _("none yet: no address, in no kernel table"));
	page_add(page, "  %-12s %s", "local",
		 lab_address_is(&socket->local, LAB_ADDRESS_EMPTY)
			 ? "-"
			 : lab_address_shown(&socket->local).text);
	page_add(page, "  %-12s %s", "peer",
		 lab_address_is(&socket->peer, LAB_ADDRESS_EMPTY)
			 ? "-"
			 : lab_address_shown(&socket->peer).text);
	struct queue_meaning meaning = queues_meaning(socket);
	page_add(page, "  %-12s %u %s", meaning.recv_name, socket->recv_queue, meaning.recv_q);
	page_add(page, "  %-12s %u %s", meaning.send_name, socket->send_queue, meaning.send_q);
	if (socket->timer_ms)
		page_add(page, _("  %-12s %s, %u.%03u s left"), "timer",
			 lab_timer_shown(socket->timer), socket->timer_ms / 1000,
			 socket->timer_ms % 1000);
	else
		page_add(page, "  %-12s %s", "timer", _("none running"));
	if (socket->family != AF_UNIX)
		page_add(page, _("  %-12s %u (sent again, not yet acknowledged)"), "retransmits",
			 socket->retransmits);
	if (socket->inode)
		page_add(page, "  %-12s %u", "inode", socket->inode);
	else
		page_add(page, "  %-12s %s", "inode",
			 _("0: no struct socket (TIME-WAIT and request sockets have none)"));
	if (socket->family == AF_UNIX)
		page_add(page, "  %-12s %s%.0u", "peer inode",
			 socket->peer_inode ? "" : _("none: not connected"), socket->peer_inode);
	page_add(page, "  %s %u", label(_("owner uid")).text, socket->uid);
	if (socket->cookie)
		page_add(page, _("  %-12s %llu (the kernel's identity for it)"), "cookie",
			 (unsigned long long)socket->cookie);
	const char *note = lab_note_shown(socket->note);
	page_add(page, "  %s %s", label(_("note")).text, note[0] ? note : "-");
	char changes[160] = "";
	size_t length = 0;
	for (size_t i = 0; i < sizeof change_names / sizeof change_names[0]; i++)
		if ((socket->changes & change_names[i].bit) && length < sizeof changes)
			length +=
				(size_t)snprintf(changes + length, sizeof changes - length, "%s%s",
						 length ? ", " : "", _(change_names[i].name));
	page_add(page, "  %s %s", label(_("changed")).text,
		 length ? changes : _("nothing in the step on screen"));
}
