from channels.generic.websocket import WebsocketConsumer


class EchoConsumer(WebsocketConsumer):
    """/ws/echo/: sends back every text frame it receives."""

    def receive(self, text_data=None, bytes_data=None):
        self.send(text_data=text_data, bytes_data=bytes_data)
