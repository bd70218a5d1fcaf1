"""The Telegram Mini App: boxes on images and spans in text, served beside the bot."""
