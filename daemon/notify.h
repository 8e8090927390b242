/*
 * notify.h - tell a service manager how uccnd is doing, as systemd's
 * sd_notify(3) protocol has it: one datagram of "KEY=VALUE" lines to the
 * AF_UNIX socket named by $NOTIFY_SOCKET (a path, or '@' for the abstract
 * namespace). Without the variable it does nothing. Written here rather
 * than linking libsystemd: the protocol is one sendto().
 */
#ifndef UCCND_NOTIFY_H
#define UCCND_NOTIFY_H

/* Send state (e.g. "READY=1") to the service manager. 0 when sent or when
 * there is no manager; -1 (errno set) when the send failed. */
int notify_send(const char *state);

#endif
