import { createRouter } from "../../trpc";
import { get } from "./get";
import { list } from "./list";
import { assign, markRead, setStatusProcedure } from "./update";

export const conversationRouter = createRouter({
  list,
  get,
  setStatus: setStatusProcedure,
  assign,
  markRead,
});
