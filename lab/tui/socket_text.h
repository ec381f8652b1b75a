/* socket_text — a socket in the words of the lesson screen, for the
 * classic panes and the projector alike. No curses. */
#ifndef SOCKLAB_TUI_SOCKET_TEXT_H
#define SOCKLAB_TUI_SOCKET_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"

/* What follows the state: the queues (for a listener, its accept queue in
 * words, with a '*' when the step changed them), a running timer, and why
 * no fd holds it. */
struct socket_piece {
	char text[96];
	bool changed;
};
enum { SOCKET_PIECES_MAX = 4 };

/* "ls=3", "conn=4", "c=--", "--": the lesson's name and the fd, as in --plain. */
void socket_text_who(const struct lab_socket *socket, char *out, size_t size);
/* The peer ("-" for none), or ":48416" when `shorten` and it is on the
 * local address's host: socket_text_peer(socket, true).text. */
struct lab_address_shown socket_text_peer(const struct lab_socket *socket, bool shorten);
/* Fills `pieces`; returns how many (at most SOCKET_PIECES_MAX). */
int socket_text_pieces(const struct lab_socket *socket,
		       struct socket_piece pieces[SOCKET_PIECES_MAX]);
/* What goes between two pieces on one line ("; "): each note reads as
 * its own, never run into the next one's words. */
const char *socket_text_separator(void);

#endif
