import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev -w @madoguchi/web` proxies the API to a server started with `npm start` (port 3000).
const api = process.env.MADOGUCHI_DEV_API ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, target: "es2022" },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": { target: api, changeOrigin: false },
      "/socket.io": { target: api, ws: true, changeOrigin: false },
    },
  },
});
