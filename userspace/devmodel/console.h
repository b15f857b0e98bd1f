/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo-vm's stdin as the serial console's input.  A pipe is read as it
 * is; a terminal is put in raw mode (no line editing, no echo: the guest
 * echoes) while the VM runs and restored when vireo-vm exits, however it
 * exits: atexit(), and a handler on the signals that kill the process.
 */
#ifndef VIREO_CONSOLE_H
#define VIREO_CONSOLE_H

/*
 * The fd the UART should read (machine->console_in_fd): STDIN_FILENO
 * when stdin is a pipe or a terminal this process may read (it is in the
 * terminal's foreground process group, so reading does not stop it with
 * SIGTTIN), else -1: regular files and /dev/null give no input.
 */
int console_input_fd(void);

/*
 * If stdin is the terminal console_input_fd() chose, switch it to raw
 * mode and arrange for its restoration.  Keeps ISIG, so Ctrl-C and Ctrl-\
 * still signal vireo-vm, but hands Ctrl-Z to the guest: a process stopped
 * with its terminal in raw mode would leave the shell unusable.  Returns
 * 0 or -errno (the terminal then stays as it was).
 */
int console_raw_start(void);

/* Put the terminal back as it was; safe to call more than once. */
void console_restore(void);

#endif /* VIREO_CONSOLE_H */
