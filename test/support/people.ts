import type { SimUser } from "../../sim/TelegramSim.js"

export const galliard: SimUser = { id: 501, first_name: "Galliard", username: "betterrman" }
export const boss: SimUser = { id: 502, first_name: "<b>Boss & Co</b>", last_name: "\"Ltd\"" }
export const maria: SimUser = { id: 503, first_name: "Мария", last_name: "Иванова", username: "maria_iv" }
