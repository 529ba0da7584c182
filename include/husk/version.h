/* SPDX-License-Identifier: MIT */
#ifndef HUSK_VERSION_H
#define HUSK_VERSION_H
#define HUSK_VERSION "0.1.0"
#endif
