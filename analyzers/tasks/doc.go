// Package tasks holds the scheduled-task analyzer and the decoders of the
// binary values Task Scheduler 2.0 keeps under SOFTWARE\Microsoft\Windows
// NT\CurrentVersion\Schedule\TaskCache (Actions, DynamicInfo).
package tasks
