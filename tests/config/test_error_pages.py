from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error


def test_missing_page_answers_in_chinese(client, sales_user):
    client.force_login(sales_user)
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_server_error_page_answers_in_chinese():
    with translation.override("zh-hans"):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "服务器错误" in response.content.decode()


def test_missing_page_answers_anonymous_visitors_too(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_missing_api_address_answers_json_in_the_api_error_shape(client, sales_user):
    client.force_login(sales_user)
    response = client.get("/api/v1/order-workflow/1.5/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
