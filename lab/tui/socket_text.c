/* socket_text — a socket's who, peer and the pieces after its state, in
 * the words the lesson screen uses. */
#include "socket_text.h"
#include "i18n.h"
#include "queues.h"

#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* "ls=3", "conn=4", "c=--", "--": the lesson's name and the fd, as in --plain. */
void socket_text_who(const struct lab_socket *socket, char *out, size_t size)
{
	if (socket->fd >= 0)
		snprintf(out, size, "%s%s%d", socket->name, socket->name[0] ? "=" : "", socket->fd);
	else
		snprintf(out, size, "%s%s--", socket->name, socket->name[0] ? "=" : "");
}

/* The peer, or ":48416" when it is on the local address's host. */
struct lab_address_shown socket_text_peer(const struct lab_socket *socket, bool shorten)
{
	struct lab_address_shown peer = lab_address_shown(&socket->peer);
	if (lab_address_is(&socket->peer, LAB_ADDRESS_EMPTY))
		text_copy(peer.text, sizeof peer.text, "-");
	if (!shorten || socket->family == AF_UNIX)
		return peer;
	struct lab_address_shown local = lab_address_shown(&socket->local);
	const char *local_colon = strrchr(local.text, ':');
	const char *peer_colon = strrchr(peer.text, ':');
	if (local_colon && peer_colon && local_colon - local.text == peer_colon - peer.text
	    && memcmp(local.text, peer.text, (size_t)(local_colon - local.text)) == 0)
		memmove(peer.text, peer_colon, strlen(peer_colon) + 1);
	return peer;
}

int socket_text_pieces(const struct lab_socket *socket,
		       struct socket_piece pieces[SOCKET_PIECES_MAX])
{
	int count = 0;
	bool queue_changed = (socket->changes & CHANGE_QUEUE) != 0;
	if (socket->state == TCP_LISTEN) {
		snprintf(pieces[count].text, sizeof pieces[count].text,
			 _("%saccept queue %u of %u"), queue_changed ? "*" : "", socket->recv_queue,
			 socket->send_queue);
		pieces[count++].changed = queue_changed;
	} else if (socket->state != 0) {
		snprintf(pieces[count].text, sizeof pieces[count].text, "%srecv-q %u send-q %u",
			 queue_changed ? "*" : "", socket->recv_queue, socket->send_queue);
		pieces[count++].changed = queue_changed;
		/* Where the numbers are not plain bytes: a FIN counted as 1, memory. */
		const char *queues = queues_note(socket);
		if (queues) {
			snprintf(pieces[count].text, sizeof pieces[count].text, "%s", queues);
			pieces[count++].changed = false;
		}
	}
	if (socket->timer_ms) {
		/* TIME-WAIT's countdown is "timer"; any other timer says which. */
		unsigned seconds = (socket->timer_ms + 999) / 1000;
		if (socket->timer == 1 && socket->retransmits)
			snprintf(pieces[count].text, sizeof pieces[count].text,
				 _("resent %u, again in %u s"), socket->retransmits, seconds);
		else if (socket->timer && socket->timer != 3)
			snprintf(pieces[count].text, sizeof pieces[count].text, _("%s in %u s"),
				 lab_timer_shown(socket->timer), seconds);
		else
			snprintf(pieces[count].text, sizeof pieces[count].text, _("timer %u s"),
				 seconds);
		pieces[count++].changed = false;
	}
	const char *note = lab_note_shown(socket->note);
	if (note[0]) {
		snprintf(pieces[count].text, sizeof pieces[count].text, "%s", note);
		pieces[count++].changed = false;
	}
	return count;
}

const char *socket_text_separator(void)
{
	return _("; ");
}
