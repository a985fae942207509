package bot

// Notices the adapters send on their own, outside any reply.
const (
	// RestartingText tells a user whose question was acknowledged but not
	// answered before the process stopped to ask again.
	RestartingText = "我正在重启，刚才的问题没来得及回答，请稍后再问一次。 / I'm restarting and could not finish your request; please ask again in a moment."
	// BusyText tells a user the bot has no room for a command right now.
	BusyText = "我现在有点忙，请稍后再试。 / I'm busy right now; please try again in a moment."
)
