/**
 * Log lines with a fixed vocabulary that operators and log parsers rely on. Nothing here logs by
 * itself: classes format, the caller that knows the full context writes the line once.
 */
package dev.mailtls.log;
