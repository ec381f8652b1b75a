/* screen_details — every field the lab holds for one socket, on a page
 * (screen_details.c). */
#ifndef SOCKLAB_TUI_SCREEN_DETAILS_H
#define SOCKLAB_TUI_SCREEN_DETAILS_H

struct tui;
struct lab_socket;

/* Opens the page of `socket` (borrowed: the page copies what it shows). */
void screen_details_open(struct tui *tui, const struct lab_socket *socket);

#endif
