import { createRouter } from "../../trpc";
import { get } from "./get";
import { assigned, list } from "./list";
import { assign, markRead, setStatusProcedure } from "./update";

export const conversationRouter = createRouter({
  list,
  assigned,
  get,
  setStatus: setStatusProcedure,
  assign,
  markRead,
});
