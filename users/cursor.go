package users

// cursorPrefix marks the cursors of the user list.
const cursorPrefix = "u1:"
