/**
 * @todo Legacy shim: features/io (import) still writes sections synchronously inside its own
 * transaction. The SQL lives in store/sqlite/sections.ts; delete this file when io is on the
 * store (store/store.ts, TODO table).
 */
export { sectionStatements as sectionRepo } from "../../store/sqlite/sections";
