/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest properties a VM keeps from one run to the next (guestprops.h):
 * read into the additions' channel when the VM process starts, written
 * (those that are not TRANSIENT) when it ends, through a file descriptor
 * opened before the system call filter, which allows writing only through
 * what is open already.
 */
#ifndef VIREO_PROPS_KEEP_H
#define VIREO_PROPS_KEEP_H

struct machine;

/*
 * Open the VM folder's file (the folder of the settings file config),
 * and restore what it holds into m's additions channel: the fd, or -1
 * when there is nothing to keep (no channel, no folder) or it cannot be
 * opened (said on stderr; the VM runs without).
 */
int props_keep_open(struct machine *m, const char *config);
/* Write m's properties that are not TRANSIENT, then close fd. */
void props_keep_save(struct machine *m, int fd);

#endif /* VIREO_PROPS_KEEP_H */
