import { createRouter } from "../../trpc";
import { get } from "./get";
import { assigned, list } from "./list";
import { assign, bulk, markRead, setJunkProcedure, setLabelsProcedure, setStatusProcedure } from "./update";

export const conversationRouter = createRouter({
  list,
  assigned,
  get,
  setStatus: setStatusProcedure,
  setJunk: setJunkProcedure,
  setLabels: setLabelsProcedure,
  bulk,
  assign,
  markRead,
});
