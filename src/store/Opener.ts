/**
 * Who opens the store. The bot makes a SQLite file's folder and takes its one-bot lock. A maintenance script
 * (forget-person) takes no lock, so it runs beside the bot, which is safe: SQLite in WAL mode lets a second
 * connection write, each transaction waiting for the other's (busy_timeout), and PostgreSQL is shared anyway; it
 * refuses to make a store that is not there.
 */
export type Opener = "bot" | "maintenance"
