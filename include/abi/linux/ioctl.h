/* SPDX-License-Identifier: MIT */
/* ioctl.h: the terminal and generic ioctl requests husk knows. */
#ifndef ABI_LINUX_IOCTL_H
#define ABI_LINUX_IOCTL_H

#define LINUX_TCGETS 0x5401
#define LINUX_TIOCGPGRP 0x540F
#define LINUX_TIOCGWINSZ 0x5413
#define LINUX_FIONREAD 0x541B
#define LINUX_FIONBIO 0x5421
#define LINUX_FIONCLEX 0x5450
#define LINUX_FIOCLEX 0x5451

#define LINUX_TERMIOS_SIZE 36 /* struct termios (kernel layout) */
#define LINUX_WINSIZE_SIZE 8

#endif
