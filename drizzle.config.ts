import { defineConfig } from "drizzle-kit";

// drizzle-kit 0.x writes flat NNNN_name.sql files, which both
// `wrangler d1 migrations apply` and the test setup read.
export default defineConfig({
	dialect: "sqlite",
	schema: ["./src/db/schema.ts", "./src/db/moveSchema.ts", "./src/db/keyedSchema.ts"],
	out: "./migrations",
});
